import { loadAccounts } from './accounts-file.ts';
import { bareJwt, type CredentialPolicy } from './credentials.ts';
import type { Account } from './types.ts';

export interface AccountsInUseOptions {
  accounts: Account[] | undefined;
  /** Where `accounts` came from; `reload` reads it again. */
  accountsFile: string | undefined;
  strictApiKey: boolean;
  /** True for a JWT an expire-token fault has expired. */
  isExpired: (jwt: string) => boolean;
}

/**
 * What handshakes are checked against, and what an expire-token fault can expire: the accounts,
 * which the admin API may reload, and the JWTs each client code has presented. Without accounts the
 * presented JWTs are the only ones the broker knows.
 */
export class AccountsInUse implements CredentialPolicy {
  readonly strictApiKey: boolean;
  readonly isExpired: (jwt: string) => boolean;
  private current: Account[] | undefined;
  private readonly jwtsSeen = new Map<string, Set<string>>();

  constructor(private readonly options: AccountsInUseOptions) {
    this.current = options.accounts;
    this.strictApiKey = options.strictApiKey;
    this.isExpired = options.isExpired;
  }

  get accounts(): readonly Account[] | undefined {
    return this.current;
  }

  get count(): number {
    return this.current?.length ?? 0;
  }

  jwtPresented(clientCode: string, jwt: string): void {
    const seen = this.jwtsSeen.get(clientCode) ?? new Set<string>();
    this.jwtsSeen.set(clientCode, seen.add(jwt));
  }

  /** Every JWT known for a client code: those it presented and its account's. */
  jwtsOf(clientCode: string): string[] {
    const account = this.current?.find((a) => a.clientCode === clientCode);
    return [...(this.jwtsSeen.get(clientCode) ?? []), ...(account ? [bareJwt(account.authToken)] : [])];
  }

  /** Reads the accounts file again, when there is one, and forgets the presented JWTs; throws, keeping the accounts, on a bad file. */
  async reload(): Promise<void> {
    if (this.options.accountsFile !== undefined) this.current = await loadAccounts(this.options.accountsFile);
    this.jwtsSeen.clear();
  }
}
