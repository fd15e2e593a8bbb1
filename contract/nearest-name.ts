import { closest } from 'fastest-levenshtein';

/**
 * The valid name closest to a typed one, for "did you mean" in usage errors: one that starts with
 * what was typed first (`adapter` → `adapter-burst`), else the fewest edits away.
 */
export function nearestName(typed: string, valid: readonly string[]): string {
  return valid.find((name) => name.startsWith(typed)) ?? closest(typed, [...valid]);
}
