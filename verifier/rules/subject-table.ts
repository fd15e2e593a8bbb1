/** `find` of a subject never interned. */
export const NO_SUBJECT = -1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// The slot array is kept at most half full, so a probe rarely goes past its first slot.
const MAX_LOAD = 0.5;
// The key of a subject names its broker (a missing one is `?`, as subjectKey says), then whether a user follows.
const NO_USER = 0;
const WITH_USER = 1;

/**
 * Interns the subjects rules judge by (broker and user, or broker alone) as dense integer ids, so
 * per-subject state can live in typed arrays indexed by id ({@link SubjectColumn}) instead of a Map
 * entry and a string per subject in each rule: a million user names cost their bytes here, once.
 *
 * Keys are stored in one byte arena, found through an open-addressing hash over those bytes (FNV-1a,
 * linear probing). Each UTF-16 code unit is written as a 1–3 byte varint, so any two distinct names,
 * lone surrogates included, have distinct keys.
 */
export class SubjectTable {
  private arena = new Uint8Array(256);
  private used = 0;
  /** Where each id's key starts in the arena; it ends where the next id's starts. */
  private starts = new Uint32Array(16);
  private slots = new Int32Array(32).fill(NO_SUBJECT);
  private count = 0;
  private key = new Uint8Array(64);
  private keyLength = 0;

  /** How many subjects were interned; ids run from 0 to size - 1. */
  get size(): number {
    return this.count;
  }

  /** The id of (broker, user), interning it when new. */
  idOf(broker: string | undefined, user?: string): number {
    const slot = this.probe(broker, user);
    const found = this.slots[slot];
    return found !== NO_SUBJECT ? found : this.insert(slot);
  }

  /** The id of (broker, user), or {@link NO_SUBJECT} when it was never interned. */
  find(broker: string | undefined, user?: string): number {
    return this.slots[this.probe(broker, user)];
  }

  /** The user of a subject, or undefined for a broker's own subject. */
  userOf(id: number): string | undefined {
    const end = this.endOf(id);
    let at = this.starts[id];
    const brokerUnits = this.readVarint(at);
    at = brokerUnits.next;
    for (let i = 0; i < brokerUnits.value; i++) at = this.readVarint(at).next;
    if (this.arena[at] === NO_USER) return undefined;
    return this.decode(at + 1, end);
  }

  /** Encodes the key into `this.key` and returns the slot that holds it or the empty slot where it goes. */
  private probe(broker: string | undefined, user: string | undefined): number {
    this.keyLength = 0;
    const b = broker ?? '?';
    this.writeVarint(b.length);
    for (let i = 0; i < b.length; i++) this.writeVarint(b.charCodeAt(i));
    if (user === undefined) this.writeByte(NO_USER);
    else {
      this.writeByte(WITH_USER);
      for (let i = 0; i < user.length; i++) this.writeVarint(user.charCodeAt(i));
    }
    const mask = this.slots.length - 1;
    for (let slot = hash(this.key, 0, this.keyLength) & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === NO_SUBJECT || this.keyEquals(id)) return slot;
    }
  }

  private insert(slot: number): number {
    const id = this.count++;
    if (this.used + this.keyLength > this.arena.length) this.arena = grown(this.arena, this.used + this.keyLength);
    this.arena.set(this.key.subarray(0, this.keyLength), this.used);
    if (id >= this.starts.length) this.starts = grown(this.starts, id + 1);
    this.starts[id] = this.used;
    this.used += this.keyLength;
    this.slots[slot] = id;
    if (this.count > this.slots.length * MAX_LOAD) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(NO_SUBJECT);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = hash(this.arena, this.starts[id], this.endOf(id)) & mask;
      while (slots[slot] !== NO_SUBJECT) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }

  private keyEquals(id: number): boolean {
    const start = this.starts[id];
    if (this.endOf(id) - start !== this.keyLength) return false;
    for (let i = 0; i < this.keyLength; i++) if (this.arena[start + i] !== this.key[i]) return false;
    return true;
  }

  private endOf(id: number): number {
    return id + 1 < this.count ? this.starts[id + 1] : this.used;
  }

  private writeVarint(n: number): void {
    while (n >= 0x80) {
      this.writeByte((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.writeByte(n);
  }

  private writeByte(b: number): void {
    if (this.keyLength === this.key.length) this.key = grown(this.key, this.keyLength + 1);
    this.key[this.keyLength++] = b;
  }

  private readVarint(at: number): { value: number; next: number } {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.arena[at++];
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return { value, next: at };
    }
  }

  private decode(at: number, end: number): string {
    let text = '';
    while (at < end) {
      const { value, next } = this.readVarint(at);
      text += String.fromCharCode(value);
      at = next;
    }
    return text;
  }
}

function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}

/** A copy of `array` with room for at least `needed` elements (doubling). */
function grown<T extends Uint8Array | Uint32Array>(array: T, needed: number): T {
  let length = array.length * 2;
  while (length < needed) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  copy.set(array);
  return copy;
}
