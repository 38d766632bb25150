import { LeaseContentionError } from './errors.js';
import type { Clock } from './ports.js';

/**
 * How much of its lease a worker must still have before it changes a security group: 10 % of the lease, at
 * least 10 s (one EC2 call with the SDK's retries), at most half the lease. A call started later could still
 * be running when the lease expires and another worker takes the alert over and plans from the same group.
 */
export function leaseMarginMs(leaseSeconds: number): number {
  const leaseMs = leaseSeconds * 1000;
  return Math.min(Math.max(10_000, leaseMs / 10), leaseMs / 2);
}

export interface LeaseHeld {
  alertId: string;
  eventKey: string;
  accountId?: string | undefined;
  groupId?: string | undefined;
  /** Epoch milliseconds. */
  leaseExpiresAt: number;
  leaseSeconds: number;
}

/**
 * Throws a retryable `LeaseContentionError` unless the lease still has its margin at `clock.now()`. Called
 * before each EC2 mutation, so a worker whose lease ran out (a slow attempt, a paused container) changes
 * nothing more and the message comes back to whoever holds the alert next.
 */
export function assertLeaseMargin(clock: Clock, lease: LeaseHeld): void {
  const margin = leaseMarginMs(lease.leaseSeconds);
  const left = lease.leaseExpiresAt - clock.now().getTime();
  if (left > margin) return;
  throw new LeaseContentionError(
    `the lease on ${lease.alertId}/${lease.eventKey} has ${Math.max(0, Math.round(left / 1000))} s left, less than the ${margin / 1000} s an EC2 change needs: nothing more is changed, the message comes back`,
    { alertId: lease.alertId, accountId: lease.accountId, groupId: lease.groupId },
  );
}
