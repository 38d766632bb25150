import { describe, expect, it } from 'vitest';
import { EnvironmentAccountDirectory } from '../../src/adapters/EnvironmentAccountDirectory.js';

describe('EnvironmentAccountDirectory', () => {
  const directory = new EnvironmentAccountDirectory({
    allowedAccounts: new Set(['111111111111', '222222222222']),
    dryRunAccounts: new Set(['222222222222', '333333333333']),
  });

  it('stands by ALLOWED_ACCOUNTS, DRY_RUN_ACCOUNTS only narrowing what is allowed', async () => {
    expect(await directory.standing('111111111111')).toBe('remediate');
    expect(await directory.standing('222222222222')).toBe('dry-run');
    // In dry-run but not allowed: not allowed (dry-run never lets the hub into an account).
    expect(await directory.standing('333333333333')).toBe('not-allowed');
    expect(await directory.standing('444444444444')).toBe('not-allowed');
  });
});
