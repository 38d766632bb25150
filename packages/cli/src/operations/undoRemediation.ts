import { randomUUID } from 'node:crypto';
import type { OutcomeListener, RevertRecorder } from '@remediation-hub/core';
import {
  applyPlan,
  type Clock,
  DEFAULT_RETENTION_DAYS,
  type GroupTarget,
  type IpPermission,
  LeaseContentionError,
  type Ledger,
  type LedgerRecord,
  type MutationResult,
  OperationRefusedError,
  type SecurityGroupGateway,
  samePermission,
  toRecordedError,
  undoEventKey,
} from '@remediation-hub/core';
import { findLaterRemediations } from './findLaterRemediations.js';
import { findUndoTarget } from './findUndoTarget.js';
import { UndoFailedError } from './UndoFailedError.js';

export interface UndoDependencies {
  ledger: Ledger;
  /** Acts in the member account through the member role (the hub's own gateway). */
  gateway: SecurityGroupGateway;
  /** The undo's ledger writes: claim before any EC2 call, then complete or fail (see `recordRevert`). */
  recorder: RevertRecorder;
  /** The member role the gateway assumes, written on the undo event. */
  roleArnFor: (accountId: string) => string;
  clock: Clock;
  retentionDays?: number;
  /** How long this undo's claim holds before another undo may take it over (default 300 s). */
  leaseSeconds?: number;
  /** Identifies this undo on its claim (default: a random id). */
  owner?: string;
  /** Told of the undo event once it is recorded, `reverted` or `failed` (the outcome topic's publisher). */
  listeners?: readonly OutcomeListener[] | undefined;
}

export interface UndoRequest {
  alertId: string;
  /** Which notification of the alert to undo; needed only when several changed the group. */
  status?: string | undefined;
  dryRun: boolean;
  /** Who asked (the operator's user name), written into the undo event's reason. */
  actor?: string | undefined;
  /** Undo even when later remediations of the same group were not undone (`--force`). */
  force?: boolean | undefined;
}

export interface UndoResult {
  dryRun: boolean;
  original: LedgerRecord;
  target: GroupTarget;
  /** Re-authorized: exactly what the remediation revoked, with the descriptions the rules had. */
  authorize: IpPermission[];
  /** Revoked: exactly what a `narrow` remediation authorized. */
  revoke: IpPermission[];
  /** Entries EC2 already had (authorize) or no longer had (revoke): nothing to do for them. */
  alreadyPresent: IpPermission[];
  alreadyAbsent: IpPermission[];
  /** The live group's ingress before the undo. */
  permissionsBefore: IpPermission[];
  /** After the undo; in a dry run, what it would be; absent when it could not be read after the changes. */
  permissionsAfter: IpPermission[] | undefined;
  requestIds: string[];
  /** Later remediations of the same group, not undone, that `force` went past (empty without them). */
  laterRemediations: LedgerRecord[];
  /** An earlier undo of the same remediation that stopped before finishing, taken over by this one. */
  tookOver: LedgerRecord | undefined;
  /** The recorded `reverted` event; absent in a dry run. */
  event: LedgerRecord | undefined;
}

/** Default lease of an undo's claim: far longer than its few EC2 calls take, even throttled. */
export const UNDO_LEASE_SECONDS = 300;
/** No EC2 change is started this close to the claim's expiry, so a takeover never races this undo. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Undoes one remediation: re-authorizes exactly the rules it revoked (with the rule descriptions they had
 * before) and revokes exactly what a `narrow` remediation authorized, in the member account through the
 * member role. A `failed` record that revoked part of its plan before the error is undone the same way:
 * exactly what EC2 confirmed it revoked comes back. Refuses (`OperationRefusedError`) a record that changed
 * nothing, was undone already, or is being undone; and, unless `force`, one whose group another
 * remediation changed later or while it ran (concurrent alerts of one group), not undone
 * (`findLaterRemediations`): restoring the older rules whole could reopen what the other one closed, so that
 * one is undone first.
 *
 * The ledger first, then EC2: before any EC2 call the undo claims the remediation (its undo event written
 * `in-progress` with a lease, and the original's `revertedBy` set to it, in one conditional transaction),
 * so a second undo is refused before it touches the group. Then the EC2 calls, one rule at a time,
 * authorizations first (a narrowed range never has a gap while it is restored); then the event is
 * completed as `reverted`. When an EC2 call fails, the event is completed as `failed` with what EC2
 * confirmed before the error, the original's `revertedBy` is removed so the remediation can be undone
 * again, and an `UndoFailedError` says so. An undo that stopped without either (the process died) leaves its
 * claim, which the next undo takes over once the lease has expired.
 */
export async function undoRemediation(deps: UndoDependencies, request: UndoRequest): Promise<UndoResult> {
  const { original, abandoned } = await findUndoTarget(
    deps.ledger,
    request.alertId,
    request.status,
    deps.clock.now(),
  );
  const target: GroupTarget = {
    accountId: required(original.accountId, 'accountId', original),
    region: required(original.region, 'region', original),
    groupId: required(original.resourceId, 'resourceId', original),
  };
  const authorize = original.revoked.map((entry) => withDescriptionFrom(entry, original.permissionsBefore));
  const revoke = original.authorized.map(withoutDescriptions);
  if (authorize.length === 0 && revoke.length === 0) {
    throw new OperationRefusedError(
      `${label(original)} changed nothing (its remediation revoked no rule): there is nothing to undo`,
      { alertId: original.alertId, ...target },
    );
  }

  const later = await findLaterRemediations(deps.ledger, original);
  if (later.length > 0 && request.force !== true) {
    throw new OperationRefusedError(
      `${label(original)} is not the latest change to ${target.groupId}: ${describeAll(later)} changed it later (or while ${original.alertId} did) and ${
        later.length === 1 ? 'was' : 'were'
      } not undone; undoing ${original.alertId} now could reopen what ${later.length === 1 ? 'that remediation' : 'they'} closed. Undo ${
        later.length === 1 ? 'it' : 'them'
      } first, or pass --force`,
      { alertId: original.alertId, ...target },
    );
  }

  if (request.dryRun) {
    const live = await deps.gateway.describe(target);
    return {
      dryRun: true,
      original,
      target,
      authorize,
      revoke,
      alreadyPresent: [],
      alreadyAbsent: [],
      permissionsBefore: live.IpPermissions ?? [],
      permissionsAfter: applyPlan(live, { revoke, authorize }).IpPermissions ?? [],
      requestIds: [],
      laterRemediations: later,
      tookOver: abandoned,
      event: undefined,
    };
  }

  // 1. Claim, before any EC2 call.
  const startedAt = deps.clock.now();
  const startedIso = startedAt.toISOString();
  const retentionSeconds = (deps.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  const leaseExpiresAt = startedAt.getTime() + (deps.leaseSeconds ?? UNDO_LEASE_SECONDS) * 1000;
  const what = `undo of ${label(original)}${request.actor ? ` by ${request.actor}` : ''}${
    later.length > 0 ? ` (--force past later ${describeAll(later)}, not undone)` : ''
  }`;
  const claimed: LedgerRecord = {
    alertId: original.alertId,
    eventKey: undoEventKey(original.alertStatus, startedAt),
    alertStatus: original.alertStatus,
    state: 'in-progress',
    recordedAt: startedIso,
    expiresAt: Math.floor(startedAt.getTime() / 1000) + retentionSeconds,
    accountId: original.accountId,
    region: original.region,
    resourceId: original.resourceId,
    signature: original.signature,
    riskLevel: original.riskLevel,
    mode: 'remediate',
    strategy: original.strategy,
    reason: `${what}: in progress${abandoned ? `, taking over ${abandoned.eventKey}` : ''}`,
    revoked: [],
    authorized: [],
    plan: { revoke, authorize },
    requestIds: [],
    roleArn: deps.roleArnFor(target.accountId),
    attempts: 1,
    leaseOwner: deps.owner ?? randomUUID(),
    leaseExpiresAt,
    timings: { firstSeenAt: startedIso, startedAt: startedIso },
    revertOf: { alertId: original.alertId, eventKey: original.eventKey },
  };
  await deps.recorder.claim(original, claimed, abandoned);

  // 2. EC2, one rule per call so that a failure part-way still says exactly what changed.
  const done = {
    authorized: [] as IpPermission[],
    alreadyPresent: [] as IpPermission[],
    revoked: [] as IpPermission[],
    alreadyAbsent: [] as IpPermission[],
    requestIds: [] as string[],
  };
  let permissionsBefore: IpPermission[] | undefined;
  const leaseHeld = () => {
    if (deps.clock.now().getTime() >= leaseExpiresAt - LEASE_MARGIN_MS) {
      throw new LeaseContentionError(
        `the claim of ${claimed.eventKey} expires at ${new Date(leaseExpiresAt).toISOString()}: no further EC2 change was started, so an undo taking it over cannot race this one`,
        { alertId: original.alertId, ...target },
      );
    }
  };
  try {
    permissionsBefore = (await deps.gateway.describe(target)).IpPermissions ?? [];
    for (const entry of authorize) {
      leaseHeld();
      const result = await deps.gateway.authorize(target, [entry]);
      done.requestIds.push(...requestIdsOf(result));
      (result.unknownPermissions.length > 0 ? done.alreadyPresent : done.authorized).push(entry);
    }
    for (const entry of revoke) {
      leaseHeld();
      const result = await deps.gateway.revoke(target, [entry]);
      done.requestIds.push(...requestIdsOf(result));
      (result.unknownPermissions.length > 0 ? done.alreadyAbsent : done.revoked).push(entry);
    }
  } catch (error) {
    throw await recordFailure(deps, original, claimed, what, { ...done, permissionsBefore }, error);
  }

  // 3. Complete. The changes are made; a failure to read the group afterwards is noted, not a failed undo.
  let permissionsAfter: IpPermission[] | undefined;
  let afterNote = '';
  try {
    permissionsAfter = (await deps.gateway.describe(target)).IpPermissions ?? [];
  } catch (error) {
    afterNote = `; the group could not be read afterwards (${error instanceof Error ? error.message : String(error)})`;
  }
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const event: LedgerRecord = {
    ...claimed,
    state: 'completed',
    outcome: 'reverted',
    recordedAt: nowIso,
    expiresAt: Math.floor(now.getTime() / 1000) + retentionSeconds,
    reason: `${what}: ${changes(done)}${unchanged(done)}${afterNote}${abandoned ? ` (took over ${abandoned.eventKey})` : ''}`,
    // Only what EC2 confirmed this undo changed, as for a remediation: a rule EC2 already had (re-added by
    // hand, or by an earlier undo that failed part-way) or no longer had was not changed by it. The whole
    // plan stays in `plan`; the rules left alone are named in the reason.
    revoked: done.revoked,
    authorized: done.authorized,
    permissionsBefore,
    permissionsAfter,
    requestIds: done.requestIds,
    leaseExpiresAt: undefined,
    timings: {
      firstSeenAt: startedIso,
      startedAt: startedIso,
      completedAt: nowIso,
      durationMs: now.getTime() - startedAt.getTime(),
    },
  };
  await deps.recorder.complete(event);
  await tellListeners(deps, event);

  return {
    dryRun: false,
    original,
    target,
    authorize,
    revoke,
    alreadyPresent: done.alreadyPresent,
    alreadyAbsent: done.alreadyAbsent,
    permissionsBefore,
    permissionsAfter,
    requestIds: done.requestIds,
    laterRemediations: later,
    tookOver: abandoned,
    event,
  };
}

interface Progress {
  authorized: IpPermission[];
  alreadyPresent: IpPermission[];
  revoked: IpPermission[];
  alreadyAbsent: IpPermission[];
  requestIds: string[];
  permissionsBefore: IpPermission[] | undefined;
}

/**
 * An EC2 call failed after the claim: records the undo event as `failed` with what EC2 confirmed before the
 * error, and frees the original for another undo. Returns the error to throw: an `UndoFailedError` that
 * says what was recorded, or, when even that write failed, one that says the claim stays until its lease
 * expires (the next undo takes it over then).
 */
async function recordFailure(
  deps: UndoDependencies,
  original: LedgerRecord,
  claimed: LedgerRecord,
  what: string,
  progress: Progress,
  error: unknown,
): Promise<UndoFailedError> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const cause = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  const partly = progress.authorized.length > 0 || progress.revoked.length > 0;
  const failed: LedgerRecord = {
    ...claimed,
    state: 'completed',
    outcome: 'failed',
    recordedAt: nowIso,
    reason: `${what} failed${
      partly ? ` after it ${changes(progress)}` : ' before it changed the group'
    }; the remediation is not marked undone and can be undone again`,
    // Only what EC2 confirmed: the rest of the plan stays in `plan`.
    authorized: progress.authorized,
    revoked: progress.revoked,
    permissionsBefore: progress.permissionsBefore,
    requestIds: progress.requestIds,
    error: toRecordedError(error),
    leaseExpiresAt: undefined,
    timings: {
      ...claimed.timings,
      completedAt: nowIso,
      durationMs: now.getTime() - Date.parse(claimed.timings.startedAt),
    },
  };
  const context = {
    alertId: original.alertId,
    accountId: original.accountId,
    region: original.region,
    groupId: original.resourceId,
  };
  try {
    await deps.recorder.fail(original, failed);
    await tellListeners(deps, failed);
  } catch (recordError) {
    return new UndoFailedError(
      `undo of ${label(original)} failed: ${cause}; recording that failed too (${
        recordError instanceof Error ? recordError.message : String(recordError)
      }): ${claimed.eventKey} stays in progress until ${new Date(claimed.leaseExpiresAt ?? 0).toISOString()}, then undo can take it over`,
      { ...context, cause: error, eventKey: claimed.eventKey },
    );
  }
  return new UndoFailedError(
    `undo of ${label(original)} failed${partly ? ` after it ${changes(progress)}` : ''}: ${cause}; recorded as ${failed.eventKey} (outcome failed); the remediation is not marked undone, so undo can run again`,
    { ...context, cause: error, eventKey: failed.eventKey },
  );
}

/** `re-authorized 2 rules, revoked 1 rule (1 already present)` */
function changes(
  done: Pick<Progress, 'authorized' | 'alreadyPresent' | 'revoked' | 'alreadyAbsent'>,
): string {
  const made = [
    `re-authorized ${count(done.authorized.length, 'rule')}`,
    done.revoked.length > 0 || done.alreadyAbsent.length > 0
      ? `revoked ${count(done.revoked.length, 'rule')}`
      : '',
  ].filter(Boolean);
  const skipped = [
    done.alreadyPresent.length > 0 ? `${done.alreadyPresent.length} already present` : '',
    done.alreadyAbsent.length > 0 ? `${done.alreadyAbsent.length} already gone` : '',
  ].filter(Boolean);
  return `${made.join(', ')}${skipped.length > 0 ? ` (${skipped.join(', ')})` : ''}`;
}

/** `; already present: tcp 22 0.0.0.0/0; already gone: tcp 23-65535 0.0.0.0/0` (empty when EC2 changed every rule) */
function unchanged(done: Pick<Progress, 'alreadyPresent' | 'alreadyAbsent'>): string {
  const parts = [
    done.alreadyPresent.length > 0 ? `already present: ${done.alreadyPresent.map(ruleText).join(', ')}` : '',
    done.alreadyAbsent.length > 0 ? `already gone: ${done.alreadyAbsent.map(ruleText).join(', ')}` : '',
  ].filter(Boolean);
  return parts.map((part) => `; ${part}`).join('');
}

/** `tcp 22 0.0.0.0/0 ::/0`, `tcp 0-21 0.0.0.0/0`, `-1 0.0.0.0/0` */
function ruleText(entry: IpPermission): string {
  const protocol = entry.IpProtocol ?? '';
  const ports =
    protocol === '-1'
      ? ''
      : entry.FromPort === entry.ToPort
        ? ` ${entry.FromPort ?? ''}`
        : ` ${entry.FromPort ?? ''}-${entry.ToPort ?? ''}`;
  const sources = [
    ...(entry.IpRanges ?? []).map((r) => r.CidrIp ?? ''),
    ...(entry.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''),
  ];
  return `${protocol}${ports} ${sources.join(' ')}`.trim();
}

/** `1001 (fail, remediated 2026-01-01T00:00:00.000Z), 1002 (warn, failed 2026-01-02T00:00:00.000Z)` */
function describeAll(records: readonly LedgerRecord[]): string {
  return records.map((r) => `${r.alertId} (${r.eventKey}, ${r.outcome} ${r.recordedAt})`).join(', ');
}

/** `alert-id (fail)` */
export function label(record: Pick<LedgerRecord, 'alertId' | 'eventKey'>): string {
  return `${record.alertId} (${record.eventKey})`;
}

function required(value: string | undefined, field: string, record: LedgerRecord): string {
  if (value === undefined || value === '') {
    throw new OperationRefusedError(`${label(record)} has no ${field}: cannot tell where to undo it`, {
      alertId: record.alertId,
    });
  }
  return value;
}

/**
 * A revoke entry carries no rule description (EC2 matches without it); the rule had one in the group
 * before the remediation, and re-authorizing it without it would not restore the group exactly.
 */
function withDescriptionFrom(entry: IpPermission, before: readonly IpPermission[] | undefined): IpPermission {
  const same = (before ?? []).filter((p) => samePermission(p, entry));
  const v4 = entry.IpRanges?.map((range) => {
    const found = same.flatMap((p) => p.IpRanges ?? []).find((r) => r.CidrIp === range.CidrIp);
    return found?.Description !== undefined ? { ...range, Description: found.Description } : range;
  });
  const v6 = entry.Ipv6Ranges?.map((range) => {
    const found = same.flatMap((p) => p.Ipv6Ranges ?? []).find((r) => r.CidrIpv6 === range.CidrIpv6);
    return found?.Description !== undefined ? { ...range, Description: found.Description } : range;
  });
  return {
    ...entry,
    ...(v4 !== undefined ? { IpRanges: v4 } : {}),
    ...(v6 !== undefined ? { Ipv6Ranges: v6 } : {}),
  };
}

function withoutDescriptions(entry: IpPermission): IpPermission {
  return {
    ...entry,
    ...(entry.IpRanges ? { IpRanges: entry.IpRanges.map(({ CidrIp }) => ({ CidrIp })) } : {}),
    ...(entry.Ipv6Ranges ? { Ipv6Ranges: entry.Ipv6Ranges.map(({ CidrIpv6 }) => ({ CidrIpv6 })) } : {}),
  };
}

function requestIdsOf(result: MutationResult & { requestIds?: string[] }): string[] {
  if (Array.isArray(result.requestIds)) return result.requestIds;
  return result.requestId === undefined ? [] : [result.requestId];
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Tells the listeners of a recorded undo event. The undo stands whatever they do: a listener that fails
 * (the publisher never throws; it leaves the event pending for `audit resend`) is not the undo's failure.
 */
async function tellListeners(deps: UndoDependencies, event: LedgerRecord): Promise<void> {
  for (const listener of deps.listeners ?? []) {
    try {
      await listener.completed(event);
    } catch {
      // The listener's own log says why; the event stays pending on the record.
    }
  }
}
