/**
 * Entries in the order they were logged, with constant-time removal from the front: a storm logs
 * thousands of creations a second, and the classifier keeps those of the last few seconds. Removing one
 * from the middle (a late pairing) still moves the rest, but that entry is almost always the first.
 */
export class TimedQueue<T extends { time: number }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first entry, if any. */
  first(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    this.compact();
    return item;
  }

  /** Removes and returns the first entry that `match` accepts. */
  take(match: (item: T) => boolean): T | undefined {
    for (let i = this.head; i < this.items.length; i++) {
      if (!match(this.items[i])) continue;
      const item = this.items[i];
      if (i === this.head) this.head++;
      else this.items.splice(i, 1);
      this.compact();
      return item;
    }
    return undefined;
  }

  /** Drops entries from the front while `expired` holds for them. */
  dropWhile(expired: (item: T) => boolean): void {
    while (this.head < this.items.length && expired(this.items[this.head])) this.head++;
    this.compact();
  }

  private compact(): void {
    // Reclaim the dropped front once it is most of the array, so memory follows what is held.
    if (this.head > 1_024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
