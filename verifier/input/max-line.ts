/** Lines longer than this are cut: only their first MiB is read, the rest is skipped unbuffered. */
export const MAX_LINE_BYTES = 1 << 20;
