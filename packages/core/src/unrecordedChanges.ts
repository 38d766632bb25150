import type { LedgerRecord } from './ledgerRecord.js';
import { hasRule, isPartOf, sameRule } from './permissionIdentity.js';
import type { IpPermission } from './types.js';

export interface UnrecordedChanges {
  revoked: IpPermission[];
  authorized: IpPermission[];
}

/**
 * What an earlier attempt changed without recording it, read from the group as it is now. That attempt wrote
 * its plan to the ledger (the checkpoint) before its first EC2 call; then its lease ran out before it wrote what
 * EC2 confirmed (its last ledger writes failed, or it died), and this attempt took the alert over. A
 * revocation it planned whose rule is gone now is taken as its work; so is a re-authorization it planned that
 * is in the group now but was not before, and narrows a rule it revoked. The hub cannot tell these apart from
 * the same change made by someone else in between; the reason on the record says how they were established.
 */
export function unrecordedChanges(earlier: LedgerRecord, live: readonly IpPermission[]): UnrecordedChanges {
  const plan = earlier.plan;
  if (plan === undefined) return { revoked: [], authorized: [] };
  const recordedRevoked = earlier.revoked ?? [];
  const recordedAuthorized = earlier.authorized ?? [];
  const revoked = plan.revoke.filter(
    (entry) => !hasRule(live, entry) && !recordedRevoked.some((done) => sameRule(done, entry)),
  );
  const allRevoked = [...recordedRevoked, ...revoked];
  const authorized = plan.authorize.filter(
    (entry) =>
      hasRule(live, entry) &&
      !hasRule(earlier.permissionsBefore ?? [], entry) &&
      !recordedAuthorized.some((done) => sameRule(done, entry)) &&
      allRevoked.some((rule) => isPartOf(entry, rule)),
  );
  return { revoked, authorized };
}
