import type { IpPermission, LedgerRecord } from '@remediation-hub/core';
import { hasRule, isSubRange, sameRule } from './ruleMatch.js';

/**
 * Re-authorizations (`narrow`) an earlier attempt planned for a rule it revoked but never made: it stopped
 * between the revocation and them (a retryable error, its lease's margin reached, its writes lost). They are
 * not made now: by the time this attempt runs, other alerts about the group may have settled on the group as
 * it is, and re-opening part of the range could re-open their ports. The record says so instead.
 */
export function unmadeReauthorizations(
  earlier: Pick<LedgerRecord, 'plan'>,
  revoked: readonly IpPermission[],
  authorized: readonly IpPermission[],
  live: readonly IpPermission[],
): IpPermission[] {
  return (earlier.plan?.authorize ?? []).filter(
    (entry) =>
      revoked.some((rule) => isSubRange(entry, rule)) &&
      !authorized.some((done) => sameRule(done, entry)) &&
      !hasRule(live, entry),
  );
}
