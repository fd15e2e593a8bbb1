import { SubjectColumn } from './subject-column.ts';

/** `find` of a subject never interned. */
export const NO_SUBJECT = -1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// The slot array is kept at most half full, so a probe rarely goes past its first slot.
const MAX_LOAD = 0.5;
// Keys live in pages of this many bytes (a longer key gets a page of its own); a key's place is
// its page number times PAGE_BYTES plus its offset, which stays a whole int32 up to 32,768 pages.
const PAGE_BITS = 16;
const PAGE_BYTES = 1 << PAGE_BITS;
// A key starts with what it names: a broker, or a user of the broker whose id follows.
const BROKER = 0;
const USER = 1;

/**
 * Interns the subjects rules judge by (a broker, or a user of a broker) as dense integer ids, so
 * per-subject state can live in typed arrays indexed by id ({@link SubjectColumn}) instead of a Map
 * entry and a string per subject in each rule: a million user names cost their bytes here, once.
 *
 * Each key is stored once in byte pages, found through an open-addressing hash over its bytes
 * (FNV-1a, linear probing). A user's key holds its broker's id, not the broker's name, and each
 * UTF-16 code unit is written as a 1–3 byte varint, so distinct names (lone surrogates included)
 * have distinct keys. A missing broker is `?`, as subjectKey has it.
 */
export class SubjectTable {
  private readonly pages: Uint8Array[] = [];
  private used = PAGE_BYTES;
  /** Where each id's key starts: a varint of its length, then its bytes. */
  private readonly places = new SubjectColumn();
  private slots = new Int32Array(32).fill(NO_SUBJECT);
  private count = 0;
  private key = new Uint8Array(64);
  private keyLength = 0;
  private lastBroker: string | undefined;
  private lastBrokerId = NO_SUBJECT;
  private readonly found: { page: Uint8Array; end: number } = { page: new Uint8Array(0), end: 0 };

  /** How many subjects were interned; ids run from 0 to size - 1. */
  get size(): number {
    return this.count;
  }

  /** The id of (broker, user), or of the broker alone, interning it when new. */
  idOf(broker: string | undefined, user?: string): number {
    const b = broker ?? '?';
    // Consecutive events mostly name the same broker: its id is kept rather than probed again.
    if (b !== this.lastBroker) {
      this.encode(BROKER, 0, b);
      this.lastBrokerId = this.intern();
      this.lastBroker = b;
    }
    if (user === undefined) return this.lastBrokerId;
    this.encode(USER, this.lastBrokerId, user);
    return this.intern();
  }

  /** The id of (broker, user), or of the broker alone; {@link NO_SUBJECT} when never interned. */
  find(broker: string | undefined, user?: string): number {
    const b = broker ?? '?';
    let brokerId = this.lastBrokerId;
    if (b !== this.lastBroker) {
      this.encode(BROKER, 0, b);
      brokerId = this.slots[this.probe()];
    }
    if (user === undefined || brokerId === NO_SUBJECT) return brokerId;
    this.encode(USER, brokerId, user);
    return this.slots[this.probe()];
  }

  /** The user of a subject, or undefined for a broker. */
  userOf(id: number): string | undefined {
    const at = this.locate(id);
    const { page, end } = this.found;
    if (page[at] !== USER) return undefined;
    let i = skipVarint(page, at + 1);
    let text = '';
    while (i < end) {
      const unit = readVarint(page, i);
      text += String.fromCharCode(unit.value);
      i = unit.next;
    }
    return text;
  }

  private intern(): number {
    const slot = this.probe();
    const found = this.slots[slot];
    return found !== NO_SUBJECT ? found : this.insert(slot);
  }

  /** The slot that holds the key in `this.key`, or the empty slot where it goes. */
  private probe(): number {
    const mask = this.slots.length - 1;
    for (let slot = hash(this.key, 0, this.keyLength) & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === NO_SUBJECT || this.keyEquals(id)) return slot;
    }
  }

  private insert(slot: number): number {
    const id = this.count++;
    const stored = varintLength(this.keyLength) + this.keyLength;
    if (this.used + stored > PAGE_BYTES) {
      this.pages.push(new Uint8Array(Math.max(PAGE_BYTES, stored)));
      this.used = 0;
    }
    const page = this.pages[this.pages.length - 1];
    this.places.set(id, (this.pages.length - 1) * PAGE_BYTES + this.used);
    const at = writeVarint(page, this.used, this.keyLength);
    page.set(this.key.subarray(0, this.keyLength), at);
    this.used = stored > PAGE_BYTES ? PAGE_BYTES : at + this.keyLength;
    this.slots[slot] = id;
    if (this.count > this.slots.length * MAX_LOAD) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(NO_SUBJECT);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      const at = this.locate(id);
      let slot = hash(this.found.page, at, this.found.end) & mask;
      while (slots[slot] !== NO_SUBJECT) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }

  private keyEquals(id: number): boolean {
    const at = this.locate(id);
    const { page, end } = this.found;
    if (end - at !== this.keyLength) return false;
    for (let i = 0; i < this.keyLength; i++) if (page[at + i] !== this.key[i]) return false;
    return true;
  }

  /** Where id's key bytes start; its page and end are left in `found` (a probe allocates nothing). */
  private locate(id: number): number {
    const place = this.places.get(id);
    const page = this.pages[place >>> PAGE_BITS];
    let at = place & (PAGE_BYTES - 1);
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const b = page[at++];
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    this.found.page = page;
    this.found.end = at + length;
    return at;
  }

  private encode(kind: number, brokerId: number, name: string): void {
    this.keyLength = 0;
    this.writeByte(kind);
    if (kind === USER) this.writeNumber(brokerId);
    for (let i = 0; i < name.length; i++) this.writeNumber(name.charCodeAt(i));
  }

  private writeNumber(n: number): void {
    while (n >= 0x80) {
      this.writeByte((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.writeByte(n);
  }

  private writeByte(b: number): void {
    if (this.keyLength === this.key.length) {
      const longer = new Uint8Array(this.key.length * 2);
      longer.set(this.key);
      this.key = longer;
    }
    this.key[this.keyLength++] = b;
  }
}

function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 0x80) {
    n >>>= 7;
    length++;
  }
  return length;
}

function writeVarint(bytes: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    bytes[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  bytes[at++] = n;
  return at;
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { value, next: at };
  }
}

function skipVarint(bytes: Uint8Array, at: number): number {
  while (bytes[at] >= 0x80) at++;
  return at + 1;
}
