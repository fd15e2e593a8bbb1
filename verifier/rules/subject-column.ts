// Ids per page: a column grows a page at a time, never copying what it holds.
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;

/**
 * What a column's cells hold: `int32` counts, `float64` times and sums of ids, or `uint8` small
 * counts and flags (0–255), a byte a subject where a million users meet a rule.
 */
export type ColumnCells = 'int32' | 'float64' | 'uint8';

/**
 * One number per subject id of a {@link SubjectTable}, in typed-array pages that come as ids do:
 * 1, 4 or 8 bytes a subject instead of a Map entry, and growing leaves no old copy behind for the
 * collector. Ids never written read as `empty`.
 */
export class SubjectColumn {
  private readonly pages: Array<Int32Array | Float64Array | Uint8Array | undefined> = [];

  constructor(
    private readonly empty = 0,
    private readonly cells: ColumnCells = 'int32',
  ) {}

  get(id: number): number {
    const page = id >= 0 ? this.pages[id >>> PAGE_BITS] : undefined;
    return page === undefined ? this.empty : page[id & (PAGE - 1)];
  }

  set(id: number, value: number): void {
    const p = id >>> PAGE_BITS;
    let page = this.pages[p];
    if (page === undefined) {
      page = this.cells === 'float64' ? new Float64Array(PAGE) : this.cells === 'uint8' ? new Uint8Array(PAGE) : new Int32Array(PAGE);
      if (this.empty !== 0) page.fill(this.empty);
      while (this.pages.length < p) this.pages.push(undefined);
      this.pages[p] = page;
    }
    page[id & (PAGE - 1)] = value;
  }
}
