import { describe, expect, it } from 'vitest';
import { accountRefusal, outcomeWithoutChanges } from '../../src/index.js';

const finding = (claims: Array<{ field: string; accountId: string }>) => ({
  accountId: '111111111111',
  accountClaims: claims,
});

describe('accountRefusal', () => {
  it('refuses a finding that names another account elsewhere, naming the field, before the allow-list', () => {
    expect(accountRefusal(finding([{ field: 'arn', accountId: '222222222222' }]), 'remediate')).toEqual({
      code: 'account-mismatch',
      accountId: '111111111111',
      field: 'arn',
      otherAccountId: '222222222222',
    });
  });

  it('refuses an account that is not allowed, and lets an allowed one through', () => {
    expect(accountRefusal({ accountId: '333333333333', accountClaims: [] }, 'not-allowed')).toEqual({
      code: 'account-not-allowed',
      accountId: '333333333333',
    });
    const same = finding([{ field: 'arn', accountId: '111111111111' }]);
    expect(accountRefusal(same, 'remediate')).toBeUndefined();
    expect(accountRefusal(same, 'dry-run')).toBeUndefined();
  });
});

describe('outcomeWithoutChanges', () => {
  it('maps decisions that need no EC2 change to their outcome', () => {
    const none = { revokedBefore: 0, dryRun: false };
    expect(outcomeWithoutChanges('compliant', none)).toBe('already-compliant');
    expect(outcomeWithoutChanges('compliant', { ...none, revokedBefore: 1 })).toBe('remediated');
    expect(outcomeWithoutChanges('exempt', none)).toBe('exempt');
    expect(outcomeWithoutChanges('ignored', none)).toBe('ignored');
    expect(outcomeWithoutChanges('unsupported', none)).toBe('unsupported');
    expect(outcomeWithoutChanges('remediate', { ...none, dryRun: true })).toBe('dry-run');
    expect(outcomeWithoutChanges('remediate', none)).toBeUndefined();
  });
});
