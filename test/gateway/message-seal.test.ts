import { describe, expect, it } from 'vitest';
import { MessageSeal } from '../../gateway/cluster/message-seal.ts';

describe('MessageSeal (HMAC of relay messages and demand members)', () => {
  const seal = new MessageSeal('a-cluster-secret-of-some-length');
  const payload = Buffer.from('tick batch');

  it('opens what it sealed, on the same channel only', () => {
    const sealed = seal.seal('stormcheck:ticks:u:angel', payload);
    expect(sealed.length).toBe(payload.length + 32);
    expect(seal.open('stormcheck:ticks:u:angel', sealed)).toEqual(payload);
    expect(seal.open('stormcheck:ticks:v:angel', sealed), 'replayed for another user').toBeUndefined();
  });

  it('refuses a message without a MAC, with a flipped bit, or sealed with another secret', () => {
    const sealed = seal.seal('c', payload);
    const flipped = Buffer.from(sealed);
    flipped[0]! ^= 1;
    expect(seal.open('c', payload)).toBeUndefined();
    expect(seal.open('c', flipped)).toBeUndefined();
    expect(seal.open('c', Buffer.alloc(3))).toBeUndefined();
    expect(new MessageSeal('another-secret-entirely').open('c', sealed)).toBeUndefined();
  });

  it('tags set members so a member cannot move to another key or be made up', () => {
    const member = seal.tag('stormcheck:demand:u:angel:gw-a', '1|1|3045');
    expect(member).toMatch(/^1\|1\|3045~[A-Za-z0-9_-]{22}$/);
    expect(seal.untag('stormcheck:demand:u:angel:gw-a', member)).toBe('1|1|3045');
    expect(seal.untag('stormcheck:demand:v:angel:gw-a', member)).toBeUndefined();
    expect(seal.untag('stormcheck:demand:u:angel:gw-a', '1|1|3045')).toBeUndefined();
    expect(seal.untag('stormcheck:demand:u:angel:gw-a', '1|1|2885~' + member.split('~')[1])).toBeUndefined();
  });

  it('without a secret passes everything through', () => {
    const open = new MessageSeal(undefined);
    expect(open.enabled).toBe(false);
    expect(open.seal('c', payload)).toBe(payload);
    expect(open.open('c', payload)).toBe(payload);
    expect(open.untag('k', 'anything')).toBe('anything');
  });
});
