import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 32;
/** Demand set members carry a truncated MAC: 128 bits is ample against forgery, and members stay short. */
const TAG_CHARS = 22;

/**
 * Authenticates what gateways tell each other through Redis (docs/cluster.md#authenticated-relay): anyone
 * who can reach Redis can publish and write keys, so with `--cluster-secret` every tick batch, status
 * and demand-changed message ends in an HMAC-SHA256 over its channel and payload, and every demand set
 * member carries one over its key and value. What fails the check is dropped by the caller and counted.
 * The channel (or key) is in the MAC so a message cannot be replayed for another user or on another
 * channel. Without a secret messages pass as they are, and the gateway warns that Redis is trusted.
 */
export class MessageSeal {
  private readonly key: Buffer | undefined;

  constructor(secret: string | undefined) {
    this.key = secret === undefined || secret === '' ? undefined : Buffer.from(secret, 'utf8');
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  seal(context: string, payload: Buffer): Buffer {
    if (!this.key) return payload;
    return Buffer.concat([payload, this.mac(context, payload)]);
  }

  /** The payload, or undefined when the message is too short or its MAC does not match. */
  open(context: string, sealed: Buffer): Buffer | undefined {
    if (!this.key) return sealed;
    if (sealed.length < MAC_BYTES) return undefined;
    const payload = sealed.subarray(0, sealed.length - MAC_BYTES);
    return timingSafeEqual(sealed.subarray(sealed.length - MAC_BYTES), this.mac(context, payload)) ? payload : undefined;
  }

  /** `text` with its tag, for a member of a Redis set. */
  tag(context: string, text: string): string {
    if (!this.key) return text;
    return `${text}~${this.mac(context, Buffer.from(text, 'utf8')).toString('base64url').slice(0, TAG_CHARS)}`;
  }

  /** The text of a tagged member, or undefined when its tag does not match. */
  untag(context: string, member: string): string | undefined {
    if (!this.key) return member;
    const at = member.lastIndexOf('~');
    if (at < 0) return undefined;
    const text = member.slice(0, at);
    const expected = Buffer.from(this.tag(context, text).slice(at + 1));
    const given = Buffer.from(member.slice(at + 1));
    return given.length === expected.length && timingSafeEqual(given, expected) ? text : undefined;
  }

  private mac(context: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.key!).update(context).update('\u0000').update(payload).digest();
  }
}
