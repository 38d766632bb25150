import type { AccountDirectory, AccountStanding } from '@remediation-hub/core';

/**
 * The accounts of the hub's environment (`ALLOWED_ACCOUNTS`, `DRY_RUN_ACCOUNTS`): for small setups, where
 * every account that joins or leaves is a redeploy. Never unsure, so it never throws.
 */
export class EnvironmentAccountDirectory implements AccountDirectory {
  readonly #allowed: ReadonlySet<string>;
  readonly #dryRun: ReadonlySet<string>;

  constructor(lists: { allowedAccounts: ReadonlySet<string>; dryRunAccounts: ReadonlySet<string> }) {
    this.#allowed = lists.allowedAccounts;
    this.#dryRun = lists.dryRunAccounts;
  }

  async standing(accountId: string): Promise<AccountStanding> {
    if (!this.#allowed.has(accountId)) return 'not-allowed';
    return this.#dryRun.has(accountId) ? 'dry-run' : 'remediate';
  }
}
