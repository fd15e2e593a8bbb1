import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SUPPORTED_BROKERS, type BrokerName } from '../protocol/openalgo/index.ts';

/** One entry of `--users FILE` (docs/gateway.md#users-file). */
export interface UserRecord {
  apiKey: string;
  userId: string;
  broker: BrokerName;
  clientCode: string;
  brokerApiKey: string;
  feedToken: string;
  authToken: string;
}

/**
 * OpenAlgo API key → user. Keys are compared as SHA-256 digests with `timingSafeEqual`, and every user is
 * compared on every lookup, so neither the key's length nor its matching prefix shows in the timing.
 */
export class UserDirectory {
  private readonly entries: { digest: Buffer; user: UserRecord }[];

  constructor(users: readonly UserRecord[]) {
    this.entries = users.map((user) => ({ digest: digest(user.apiKey), user }));
  }

  get users(): UserRecord[] {
    return this.entries.map((e) => e.user);
  }

  findByApiKey(apiKey: string): UserRecord | undefined {
    const candidate = digest(apiKey);
    let found: UserRecord | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && !found) found = entry.user;
    }
    return found;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Used when no `--users` file is given; printed at start-up so a first run works out of the box. */
export const DEMO_USER: UserRecord = {
  apiKey: 'demo-api-key',
  userId: 'demo',
  broker: 'angel',
  clientCode: 'DEMO1',
  brokerApiKey: 'demo-broker-api-key',
  feedToken: 'demo-feed-token',
  authToken: 'demo-jwt',
};

/** Thrown for an unreadable or malformed users file; the message names the file and the problem. */
export class UsersFileError extends Error {
  readonly code = 'BAD_USERS';
}

const REQUIRED_FIELDS = ['apiKey', 'userId', 'broker', 'clientCode', 'brokerApiKey', 'feedToken', 'authToken'] as const;

/** Reads and checks `--users FILE`: a JSON array of UserRecord with unique API keys. */
export function loadUsersFile(path: string): UserRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsersFileError(`--users ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new UsersFileError(`--users ${path}: expected a non-empty JSON array of users`);
  }
  const keys = new Set<string>();
  parsed.forEach((row, i) => {
    const r = row as Record<string, unknown> | null;
    for (const field of REQUIRED_FIELDS) {
      if (typeof r?.[field] !== 'string' || r[field] === '') {
        throw new UsersFileError(`--users ${path}: user ${i} needs a non-empty string "${field}"`);
      }
    }
    if (!(SUPPORTED_BROKERS as readonly string[]).includes(r!.broker as string)) {
      throw new UsersFileError(`--users ${path}: user ${i} has broker "${String(r!.broker)}"; supported: ${SUPPORTED_BROKERS.join(', ')}`);
    }
    if (keys.has(r!.apiKey as string)) throw new UsersFileError(`--users ${path}: user ${i} repeats another user's apiKey`);
    keys.add(r!.apiKey as string);
  });
  return parsed as UserRecord[];
}
