import {
  applyPlan,
  type Clock,
  DEFAULT_RETENTION_DAYS,
  type GroupTarget,
  type IpPermission,
  type Ledger,
  type LedgerRecord,
  type MutationResult,
  OperationRefusedError,
  type SecurityGroupGateway,
  undoEventKey,
} from '@remediation-hub/core';
import { findUndoTarget } from './findUndoTarget.js';

export interface UndoDependencies {
  ledger: Ledger;
  /** Acts in the member account through the member role (the hub's own gateway). */
  gateway: SecurityGroupGateway;
  /** Writes the undo event and marks the original, both or neither (see `recordRevert`). */
  recordRevert: (original: LedgerRecord, event: LedgerRecord) => Promise<void>;
  /** The member role the gateway assumes, written on the undo event. */
  roleArnFor: (accountId: string) => string;
  clock: Clock;
  retentionDays?: number;
}

export interface UndoRequest {
  alertId: string;
  /** Which notification of the alert to undo; needed only when several were remediated. */
  status?: string | undefined;
  dryRun: boolean;
  /** Who asked (the operator's user name), written into the undo event's reason. */
  actor?: string | undefined;
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
  /** After the undo; in a dry run, what it would be. */
  permissionsAfter: IpPermission[];
  requestIds: string[];
  /** The recorded `reverted` event; absent in a dry run. */
  event: LedgerRecord | undefined;
}

/**
 * Undoes one remediation: re-authorizes exactly the rules it revoked (with the rule descriptions they had
 * before) and revokes exactly what a `narrow` remediation authorized, in the member account through the
 * member role; then records a `reverted` event linked to the original and marks the original
 * `revertedBy` that event. A `failed` record that revoked part of its plan before the error is undone the
 * same way: exactly what EC2 confirmed it revoked comes back. Refuses (`OperationRefusedError`) a record
 * that changed nothing or was undone already. Authorizations go first, so a narrowed range never has a gap while it is restored.
 */
export async function undoRemediation(deps: UndoDependencies, request: UndoRequest): Promise<UndoResult> {
  const original = await findUndoTarget(deps.ledger, request.alertId, request.status);
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

  const startedAt = deps.clock.now();
  const live = await deps.gateway.describe(target);
  const permissionsBefore = live.IpPermissions ?? [];

  if (request.dryRun) {
    return {
      dryRun: true,
      original,
      target,
      authorize,
      revoke,
      alreadyPresent: [],
      alreadyAbsent: [],
      permissionsBefore,
      permissionsAfter: applyPlan(live, { revoke, authorize }).IpPermissions ?? [],
      requestIds: [],
      event: undefined,
    };
  }

  const authorized = await deps.gateway.authorize(target, authorize);
  const revoked = await deps.gateway.revoke(target, revoke);
  const permissionsAfter = (await deps.gateway.describe(target)).IpPermissions ?? [];
  const requestIds = [...requestIdsOf(authorized), ...requestIdsOf(revoked)];

  const now = deps.clock.now();
  const retentionSeconds = (deps.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  const nowIso = now.toISOString();
  const changed = `re-authorized ${count(authorize.length - authorized.unknownPermissions.length, 'rule')}${
    revoke.length > 0 ? `, revoked ${count(revoke.length - revoked.unknownPermissions.length, 'rule')}` : ''
  }`;
  const skipped = [
    authorized.unknownPermissions.length > 0 ? `${authorized.unknownPermissions.length} already present` : '',
    revoked.unknownPermissions.length > 0 ? `${revoked.unknownPermissions.length} already gone` : '',
  ].filter(Boolean);
  const event: LedgerRecord = {
    alertId: original.alertId,
    eventKey: undoEventKey(original.alertStatus, now),
    alertStatus: original.alertStatus,
    state: 'completed',
    outcome: 'reverted',
    recordedAt: nowIso,
    expiresAt: Math.floor(now.getTime() / 1000) + retentionSeconds,
    accountId: original.accountId,
    region: original.region,
    resourceId: original.resourceId,
    signature: original.signature,
    riskLevel: original.riskLevel,
    mode: 'remediate',
    strategy: original.strategy,
    reason: `undo of ${label(original)}${request.actor ? ` by ${request.actor}` : ''}: ${changed}${
      skipped.length > 0 ? ` (${skipped.join(', ')})` : ''
    }`,
    revoked: revoke,
    authorized: authorize,
    permissionsBefore,
    permissionsAfter,
    requestIds,
    roleArn: deps.roleArnFor(target.accountId),
    attempts: 1,
    timings: {
      firstSeenAt: startedAt.toISOString(),
      startedAt: startedAt.toISOString(),
      completedAt: nowIso,
      durationMs: now.getTime() - startedAt.getTime(),
    },
    revertOf: { alertId: original.alertId, eventKey: original.eventKey },
  };
  await deps.recordRevert(original, event);

  return {
    dryRun: false,
    original,
    target,
    authorize,
    revoke,
    alreadyPresent: authorized.unknownPermissions,
    alreadyAbsent: revoked.unknownPermissions,
    permissionsBefore,
    permissionsAfter,
    requestIds,
    event,
  };
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
  const same = (before ?? []).filter((p) => samePorts(p, entry));
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

function samePorts(a: IpPermission, b: IpPermission): boolean {
  const protocol = (a.IpProtocol ?? '').toLowerCase();
  if (protocol !== (b.IpProtocol ?? '').toLowerCase()) return false;
  if (protocol === '-1') return true;
  return (a.FromPort ?? -1) === (b.FromPort ?? -1) && (a.ToPort ?? -1) === (b.ToPort ?? -1);
}

function requestIdsOf(result: MutationResult & { requestIds?: string[] }): string[] {
  if (Array.isArray(result.requestIds)) return result.requestIds;
  return result.requestId === undefined ? [] : [result.requestId];
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
