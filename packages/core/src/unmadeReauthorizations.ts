import type { LedgerRecord } from './ledgerRecord.js';
import { hasRule, isPartOf, sameRule } from './permissionIdentity.js';
import type { IpPermission } from './types.js';

/**
 * What an attempt that stops now leaves unmade of its plan's re-authorizations: those that narrow a rule it
 * revoked and were not authorized (with what the record already held as pending).
 */
export function pendingReauthorizations(
  earlier: Pick<LedgerRecord, 'pendingReauthorizations'>,
  plan: Pick<LedgerRecord, 'plan'>['plan'],
  revoked: readonly IpPermission[],
  authorized: readonly IpPermission[],
): IpPermission[] {
  const pending = [...(earlier.pendingReauthorizations ?? [])];
  for (const entry of plan?.authorize ?? []) {
    if (
      revoked.some((rule) => isPartOf(entry, rule)) &&
      !authorized.some((done) => sameRule(done, entry)) &&
      !pending.some((other) => sameRule(other, entry))
    ) {
      pending.push(entry);
    }
  }
  return pending.filter((entry) => !authorized.some((done) => sameRule(done, entry)));
}

/**
 * Re-authorizations (`narrow`) an earlier attempt planned for a rule it revoked but never made: it stopped
 * between the revocation and them (a retryable error, its lease's margin reached, its writes lost). They come
 * from the checkpointed plan of an attempt taken over, or from `pendingReauthorizations`, written by an attempt
 * that released its lease (and dropped its plan). They are
 * not made now: by the time this attempt runs, other alerts about the group may have settled on the group as
 * it is, and re-opening part of the range could re-open their ports. The record says so instead.
 */
export function unmadeReauthorizations(
  earlier: Pick<LedgerRecord, 'plan' | 'pendingReauthorizations'>,
  revoked: readonly IpPermission[],
  authorized: readonly IpPermission[],
  live: readonly IpPermission[],
): IpPermission[] {
  const planned = [...(earlier.plan?.authorize ?? []), ...(earlier.pendingReauthorizations ?? [])];
  return planned.filter(
    (entry, index) =>
      planned.findIndex((other) => sameRule(other, entry)) === index &&
      revoked.some((rule) => isPartOf(entry, rule)) &&
      !authorized.some((done) => sameRule(done, entry)) &&
      !hasRule(live, entry),
  );
}
