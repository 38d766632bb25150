import type { Finding } from './finding.js';
import type { AccountStanding } from './ports.js';
import type { Reason } from './reasons.js';

/**
 * Why the hub must not act in a finding's account, before anything reaches STS: another field of the finding
 * names another account (a forged or confused alert; checked first, whatever the account's standing), or the
 * account is not allowed. `undefined`: go on.
 */
export function accountRefusal(
  finding: Pick<Finding, 'accountId' | 'accountClaims'>,
  standing: AccountStanding,
): Extract<Reason, { code: 'account-mismatch' | 'account-not-allowed' }> | undefined {
  const other = finding.accountClaims.find((claim) => claim.accountId !== finding.accountId);
  if (other !== undefined) {
    return {
      code: 'account-mismatch',
      accountId: finding.accountId,
      field: other.field,
      otherAccountId: other.accountId,
    };
  }
  if (standing === 'not-allowed') return { code: 'account-not-allowed', accountId: finding.accountId };
  return undefined;
}
