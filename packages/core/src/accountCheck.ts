import type { Finding } from './finding.js';
import type { Reason } from './reasons.js';

/**
 * Why the hub must not act in a finding's account, before anything reaches STS: another field of the finding
 * names another account (a forged or confused alert), or the account is not allowed. `undefined`: go on.
 */
export function accountRefusal(
  finding: Pick<Finding, 'accountId' | 'accountClaims'>,
  isAllowed: (accountId: string) => boolean,
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
  if (!isAllowed(finding.accountId)) return { code: 'account-not-allowed', accountId: finding.accountId };
  return undefined;
}
