/**
 * One number per subject id of a {@link SubjectTable}, in a typed array that grows as ids come:
 * 4 or 8 bytes a subject instead of a Map entry. Ids never written read as `empty`.
 */
export class SubjectColumn {
  private values: Int32Array | Float64Array;

  /** `wide`: float64 values (times, sums of ids); otherwise int32 counts. */
  constructor(
    private readonly empty = 0,
    private readonly wide = false,
  ) {
    this.values = this.allocate(16);
  }

  get(id: number): number {
    return id >= 0 && id < this.values.length ? this.values[id] : this.empty;
  }

  set(id: number, value: number): void {
    if (id >= this.values.length) {
      let length = this.values.length * 2;
      while (length <= id) length *= 2;
      const copy = this.allocate(length);
      copy.set(this.values);
      this.values = copy;
    }
    this.values[id] = value;
  }

  private allocate(length: number): Int32Array | Float64Array {
    const array = this.wide ? new Float64Array(length) : new Int32Array(length);
    if (this.empty !== 0) array.fill(this.empty);
    return array;
  }
}
