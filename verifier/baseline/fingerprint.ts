import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding } from '../types.ts';

// Rotations of one log are one log: `openalgo.log.1.gz` is `openalgo.log`.
const ROTATION_SUFFIX = /(\.\d+)?(\.gz)?$/;

/**
 * A finding's identity across runs: rule, user, broker, storm kind and the name of the log it was
 * judged in (without its folder or rotation suffix). Line numbers, times, counts and the message
 * change from run to run and stay out, so an accepted finding stays matched as the log grows.
 */
export function fingerprint(f: Pick<Finding, 'rule' | 'user' | 'broker' | 'stormKind' | 'input'>): string {
  const log = path.basename(f.input).replace(ROTATION_SUFFIX, '');
  const key = JSON.stringify([f.rule, f.user ?? null, f.broker ?? null, f.stormKind ?? null, log]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}
