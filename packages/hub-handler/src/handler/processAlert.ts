import {
  ACTIONABLE_STATUSES,
  AccountNotAllowedError,
  type Alert,
  applyPlan,
  type Clock,
  ConcurrentChangeError,
  type CredentialsProvider,
  type Decision,
  findSignature,
  type GroupTarget,
  type IpPermission,
  isRetryable,
  LeaseContentionError,
  type Ledger,
  type LedgerRecord,
  MalformedAlertError,
  notificationEventKey,
  type Outcome,
  type PlanOptions,
  parseAlert,
  planRemediation,
  type RecordedError,
  type RemediationMode,
  type RemediationPlan,
  ResourceGoneError,
  type SecurityGroup,
  type SecurityGroupGateway,
  type Strategy,
  toRecordedError,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { AUTHORIZE_RETRY_DELAYS_MS, emptyExecution, executePlan, type PlanExecution } from './executePlan.js';
import { assertLeaseMargin } from './leaseMargin.js';
import { peekAlertKey } from './peekAlertKey.js';
import { reclaimableOutcomes } from './reclaimableOutcomes.js';
import { isPortRange } from './ruleMatch.js';
import { pendingReauthorizations, unmadeReauthorizations } from './unmadeReauthorizations.js';
import { type UnrecordedChanges, unrecordedChanges } from './unrecordedChanges.js';

/** The part of the hub's configuration that decides what happens to one alert. */
export interface ProcessingSettings {
  allowedAccounts: ReadonlySet<string>;
  dryRunAccounts: ReadonlySet<string>;
  mode: RemediationMode;
  strategy: Strategy;
  exemptTagKey: string;
  leaseSeconds: number;
}

export interface AlertProcessorDeps {
  settings: ProcessingSettings;
  credentials: CredentialsProvider;
  gateway: SecurityGroupGateway;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  /** Waits between the tries of a re-authorization that failed with a retryable error (tests: no wait). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** One delivery of one alert notification. */
export interface AlertMessage {
  /** The SQS message id. */
  messageId: string;
  /** The SQS body: the alert document (raw delivery) or its SNS envelope. */
  body: string;
  /** The lease owner: unique per delivery (e.g. `<Lambda request id>:<message id>`). */
  owner: string;
  /** SQS `ApproximateReceiveCount`, for the logs. */
  receiveCount?: number | undefined;
}

export interface AlertResult {
  messageId: string;
  /** The ledger key, once known (`unparsed:<message id>` when no alert id could be read). */
  alertId: string | undefined;
  eventKey: string | undefined;
  accountId: string | undefined;
  region: string | undefined;
  groupId: string | undefined;
  /** The recorded outcome, or `retry`: the message goes back to the queue (a batch item failure). */
  outcome: Outcome | 'retry';
  /** Set for terminal errors (recorded) and retryable ones (the reason for the retry). */
  error: RecordedError | undefined;
  /** True when the claim took over an expired lease of another worker. */
  takenOver: boolean;
}

/** What one attempt learnt and did; written to the ledger whatever the outcome, partial progress included. */
interface Progress {
  roleArn?: string | undefined;
  permissionsBefore?: IpPermission[] | undefined;
  permissionsAfter?: IpPermission[] | undefined;
  decision?: Decision | undefined;
  reason?: string | undefined;
  plan?: { revoke: IpPermission[]; authorize: IpPermission[] } | undefined;
  mode: RemediationMode;
  revoked: IpPermission[];
  authorized: IpPermission[];
  requestIds: string[];
  /** An error recorded with an outcome that stands (a re-authorization that failed after its revocation). */
  error?: RecordedError | undefined;
}

/**
 * One alert through the hub (design.md, "Processing one alert in the hub"):
 * 1. parse (malformed: `rejected`); 2. account checks before any STS call (`rejected`);
 * 3. claim in the ledger (`duplicate`, or retry on a live lease of another worker; a notification completed
 *    as `failed`, `rejected`, or `dry-run` while it is no longer in dry-run, is processed again);
 * 4. credentials for the account; 5. describe, plan, checkpoint the plan on the record, revoke (and, `narrow`,
 *    re-authorize the rest of each confirmed revocation's range), confirm the exposure is closed (or only record
 *    the plan in dry-run); 6. complete the ledger record. Terminal errors are recorded and the message consumed;
 *    retryable ones release the lease, keep what was already done, and send the message back.
 */
export async function processAlert(message: AlertMessage, deps: AlertProcessorDeps): Promise<AlertResult> {
  const { ledger, clock, settings } = deps;
  const startedAt = clock.now();

  // 1. Parse and validate.
  let alert: Alert;
  try {
    alert = parseAlert(message.body);
  } catch (error) {
    if (!(error instanceof MalformedAlertError)) throw error;
    return rejectUnreadable(message, error, deps, startedAt);
  }

  const target: GroupTarget = {
    accountId: alert.accountId,
    region: alert.region,
    groupId: alert.securityGroupId,
  };
  const log = deps.logger.child({
    alertId: alert.id,
    accountId: target.accountId,
    region: target.region,
    groupId: target.groupId,
  });
  const eventKey = notificationEventKey(alert.status);
  const dryRun = settings.mode === 'dry-run' || settings.dryRunAccounts.has(alert.accountId);
  const mode: RemediationMode = dryRun ? 'dry-run' : 'remediate';
  const fields: Partial<LedgerRecord> = {
    accountId: alert.accountId,
    region: alert.region,
    resourceId: alert.securityGroupId,
    signature: { identifier: alert.signature.identifier, name: alert.signature.name },
    riskLevel: alert.riskLevel,
    mode,
    strategy: settings.strategy,
    messageId: message.messageId,
  };
  const result = (outcome: Outcome | 'retry', error?: RecordedError, takenOver = false): AlertResult => ({
    messageId: message.messageId,
    alertId: alert.id,
    eventKey,
    accountId: target.accountId,
    region: target.region,
    groupId: target.groupId,
    outcome,
    error,
    takenOver,
  });

  // 2. Account checks, before anything reaches STS.
  const refusal = accountRefusal(alert, settings.allowedAccounts);
  if (refusal) {
    const error = toRecordedError(refusal);
    const completedAt = clock.now();
    await ledger.recordTerminal({
      ...fields,
      ...terminalBase(alert.id, eventKey, alert.status, startedAt, completedAt),
      outcome: 'rejected',
      reason: refusal.message,
      error,
    });
    log.warn({ outcome: 'rejected', reason: refusal.message }, 'alert rejected');
    return result('rejected', error);
  }

  // 3. Claim. A completed notification is a duplicate, except where the hub changed nothing and the
  // configuration may now decide otherwise: `failed`, `rejected` (this alert has just passed the account
  // checks, so that rejection was under an older allow-list) and, once the alert is out of dry-run,
  // `dry-run` (the account was switched to remediate). See `reclaimableOutcomes` for the whole rule.
  const claim = await ledger.claim({
    alertId: alert.id,
    eventKey,
    alertStatus: alert.status,
    owner: message.owner,
    leaseSeconds: settings.leaseSeconds,
    now: startedAt,
    fields,
    reclaimableOutcomes: reclaimableOutcomes(dryRun),
  });
  if (claim.kind === 'duplicate') {
    await ledger.countDuplicate(alert.id, eventKey, startedAt);
    log.info({ outcome: 'duplicate', recordedOutcome: claim.record.outcome }, 'duplicate delivery');
    return result('duplicate');
  }
  if (claim.kind === 'contended') {
    const error = new LeaseContentionError(`another worker holds the lease on ${alert.id}/${eventKey}`, {
      alertId: alert.id,
      accountId: target.accountId,
      groupId: target.groupId,
    });
    log.info({ leaseExpiresAt: claim.record.leaseExpiresAt }, 'lease held by another worker, retrying later');
    return result('retry', toRecordedError(error));
  }
  const claimed = claim.record;
  if (claim.takenOver) log.warn({ attempts: claimed.attempts }, 'took over an expired lease');

  // An attempt taken over after its lease expired, with a checkpointed plan: it may have changed the group
  // without its result ever being written (see `unrecordedChanges`). An attempt that released its lease
  // dropped its plan (it recorded what it did), so the plan here is the checkpoint of the latest attempt.
  const unrecorded = claim.takenOver && claimed.plan !== undefined ? claimed : undefined;
  const changedBefore = (claimed.revoked?.length ?? 0) + (claimed.authorized?.length ?? 0) > 0;
  const progress: Progress = {
    mode,
    // Work of an earlier attempt (a retryable error after some calls) stays on the record.
    revoked: [...(claimed.revoked ?? [])],
    authorized: [...(claimed.authorized ?? [])],
    requestIds: [...(claimed.requestIds ?? [])],
    // The group as it was before the hub first changed it, and after its changes so far; a fresh describe
    // when nothing was changed yet (an earlier dry-run's or failed attempt's view of the group is not kept).
    ...(changedBefore || unrecorded !== undefined
      ? { permissionsBefore: claimed.permissionsBefore, permissionsAfter: claimed.permissionsAfter }
      : { permissionsBefore: undefined, permissionsAfter: undefined }),
  };
  /** What was done so far, for the log lines of a ledger write that failed (never credentials). */
  const done = () => ({
    revoked: progress.revoked,
    authorized: progress.authorized,
    requestIds: progress.requestIds,
  });

  // Before each EC2 change: is the lease still this worker's for long enough?
  const beforeMutation = (): void =>
    assertLeaseMargin(clock, {
      alertId: alert.id,
      eventKey,
      accountId: target.accountId,
      groupId: target.groupId,
      leaseExpiresAt: claimed.leaseExpiresAt ?? startedAt.getTime() + settings.leaseSeconds * 1000,
      leaseSeconds: settings.leaseSeconds,
    });

  // Before the first EC2 change: the plan and the group as it is, on the record, under this worker's lease. If
  // this attempt's last writes are lost, the attempt that takes over knows what may have been changed.
  const checkpoint = async (): Promise<void> => {
    await ledger.complete({
      ...claimed,
      ...progress,
      state: 'in-progress',
      recordedAt: clock.now().toISOString(),
    });
  };

  // After a retryable error: what this attempt did stays on the record, and the lease is released so the
  // redelivery can claim the alert at once. The record then says exactly what this attempt did, so its plan
  // is dropped: an attempt that later takes over an attempt that died before its own checkpoint must not read
  // this plan as unrecorded work. The re-authorizations it left unmade are kept for the next attempt's reason.
  const release = async (error: RecordedError): Promise<void> => {
    const now = clock.now();
    try {
      await ledger.complete({
        ...claimed,
        ...progress,
        plan: undefined,
        pendingReauthorizations: pendingReauthorizations(
          claimed,
          progress.plan,
          progress.revoked,
          progress.authorized,
        ),
        state: 'in-progress',
        recordedAt: now.toISOString(),
        leaseExpiresAt: now.getTime(),
        error,
      });
    } catch (releaseError) {
      log.warn({ err: releaseError, ...done() }, 'could not release the lease; it will expire');
    }
  };

  let outcome: Outcome;
  let failure: RecordedError | undefined;
  try {
    outcome = await remediate(alert, target, progress, deps, dryRun, {
      beforeMutation,
      checkpoint,
      unrecorded,
      earlier: claimed,
    });
    failure = progress.error;
  } catch (error) {
    failure = toRecordedError(error);
    if (isRetryable(error)) {
      await release(failure);
      log.warn({ err: error, ...done() }, 'retryable error, the message will come back');
      return result('retry', failure, claim.takenOver);
    }
    outcome = error instanceof ResourceGoneError ? 'resource-gone' : 'failed';
    log.warn({ err: error, outcome }, 'terminal error');
  }

  // 6. Complete.
  const completedAt = clock.now();
  try {
    await ledger.complete({
      ...claimed,
      ...progress,
      state: 'completed',
      outcome,
      recordedAt: completedAt.toISOString(),
      error: failure,
      messageId: message.messageId,
      timings: {
        firstSeenAt: claimed.timings.firstSeenAt,
        startedAt: claimed.timings.startedAt,
        completedAt: completedAt.toISOString(),
        durationMs: completedAt.getTime() - startedAt.getTime(),
      },
    });
  } catch (error) {
    // What EC2 did is in this log line whatever happens to the record.
    log.warn(
      { err: error, outcome, ...done() },
      'could not complete the ledger record, the message will come back',
    );
    if (!isRetryable(error)) throw error;
    // Keep the work on the record at least (the checkpoint has the plan and the group before).
    await release(toRecordedError(error));
    return result('retry', toRecordedError(error), claim.takenOver);
  }
  log.info(
    {
      outcome,
      revoked: progress.revoked.length,
      authorized: progress.authorized.length,
      error: failure,
      attempts: claimed.attempts,
      previousOutcome: claimed.previousOutcome,
    },
    'alert processed',
  );
  return result(outcome, failure, claim.takenOver);
}

/** Steps 4 and 5: credentials, describe, plan, and the EC2 calls (none in dry-run). */
async function remediate(
  alert: Alert,
  target: GroupTarget,
  progress: Progress,
  deps: AlertProcessorDeps,
  dryRun: boolean,
  attempt: {
    /** Throws when the lease is too close to its end for another EC2 change. */
    beforeMutation: () => void;
    /** Writes the in-progress record (plan, group before) before the first EC2 change. */
    checkpoint: () => Promise<void>;
    /** The record of an earlier attempt whose changes may be unrecorded. */
    unrecorded: LedgerRecord | undefined;
    /** The record as claimed: an earlier attempt's plan, if any. */
    earlier: Pick<LedgerRecord, 'plan' | 'pendingReauthorizations'>;
  },
): Promise<Outcome> {
  const { settings, gateway } = deps;
  // Alerts that cannot lead to a change need no credentials at all.
  if (!ACTIONABLE_STATUSES.includes(alert.status)) {
    progress.decision = 'ignored';
    progress.reason = `status "${alert.status}" is not acted on (only ${ACTIONABLE_STATUSES.join(', ')})`;
    return 'ignored';
  }
  if (!findSignature(alert.signature.identifier)) {
    progress.decision = 'unsupported';
    progress.reason = `signature ${alert.signature.identifier} is not one the hub remediates`;
    return 'unsupported';
  }

  const account = await deps.credentials.forAccount(alert.accountId);
  progress.roleArn = account.roleArn;

  const before = await gateway.describe(target);
  const beforePermissions = before.IpPermissions ?? [];
  progress.permissionsBefore ??= beforePermissions;
  progress.permissionsAfter = beforePermissions;

  // An earlier attempt's unrecorded work, read from the group as it is now.
  let earlierNote = '';
  if (attempt.unrecorded !== undefined) {
    const earlier = unrecordedChanges(attempt.unrecorded, beforePermissions);
    progress.revoked.push(...earlier.revoked);
    progress.authorized.push(...earlier.authorized);
    earlierNote = unrecordedNote(earlier);
  }
  const unmade = unmadeReauthorizations(
    attempt.earlier,
    progress.revoked,
    progress.authorized,
    beforePermissions,
  );
  if (unmade.length > 0) {
    earlierNote += `; ${count(unmade.length, 're-authorization')} of the rest of a range an earlier attempt revoked ${unmade.length === 1 ? 'was' : 'were'} never made (that attempt stopped first) and ${unmade.length === 1 ? 'is' : 'are'} not made now: the exposure is closed, and those ports stay closed until someone authorizes them`;
  }

  const plan = planRemediation(alert, before, planOptions(settings));
  const reason = `${plan.reason}${earlierNote}`;
  progress.decision = plan.decision;
  progress.reason = reason;
  progress.plan = { revoke: plan.revoke, authorize: plan.authorize };

  switch (plan.decision) {
    case 'compliant':
      // An earlier attempt may have closed it before a retryable error.
      return progress.revoked.length > 0 ? 'remediated' : 'already-compliant';
    case 'exempt':
      return 'exempt';
    case 'ignored':
      return 'ignored';
    case 'unsupported':
      return 'unsupported';
    case 'remediate':
      break;
  }
  if (dryRun) return 'dry-run';

  await attempt.checkpoint();

  // One call per rule, revocations first (see `executePlan`): each call's request id and result is its own,
  // so the record says exactly what EC2 changed, even when a concurrent change removed a rule between
  // describe and revoke.
  const execution = emptyExecution();
  try {
    await executePlan(gateway, target, plan, execution, attempt.beforeMutation, { sleep: deps.sleep });
  } finally {
    progress.revoked.push(...execution.revoked);
    progress.authorized.push(...execution.authorized);
    progress.requestIds.push(...execution.requestIds);
    // The group after exactly what EC2 confirmed, also when a later call failed. Computed, not re-described:
    // DescribeSecurityGroups is eventually consistent and may still show a rule revoked a moment ago.
    progress.permissionsAfter = applyPlan(before, ownChanges(execution)).IpPermissions ?? [];
  }
  return confirmClosed(alert, target, before, { ...plan, reason }, execution, progress, deps);
}

/**
 * Before declaring success: is the alert's exposure closed in the group as it is now? When EC2 said that a
 * rule was already gone or already there (someone else changed the group meanwhile), or when the attempt
 * added access (`narrow`), the group is described again (with this attempt's own changes applied on top, in
 * case the read does not show them yet) and planned again. Still open: a retryable `ConcurrentChangeError`,
 * and the next delivery plans from the group as it is then. Under `narrow`, a vanished port range is also
 * retried, even when the group now looks closed: another worker may be narrowing that range and about to
 * re-authorize a part of it that holds this alert's port.
 */
async function confirmClosed(
  alert: Alert,
  target: GroupTarget,
  before: SecurityGroup,
  plan: RemediationPlan,
  execution: PlanExecution,
  progress: Progress,
  deps: AlertProcessorDeps,
): Promise<Outcome> {
  const { settings, gateway } = deps;
  const concurrent = execution.alreadyGone.length + execution.alreadyThere.length > 0;
  let seen = concurrent ? `; ${concurrentChangeNote(execution)}` : '';
  if (execution.authorizeError !== undefined) {
    // The exposure is closed: the outcome stands, with the error and what it left undone on the record.
    progress.error = toRecordedError(execution.authorizeError);
    const failedHow = execution.authorizeRetriesExhausted
      ? `the re-authorization failed after ${AUTHORIZE_RETRY_DELAYS_MS.length} retries with a retryable error, `
      : '';
    seen += `; the rest of the range could not be re-authorized (${failedHow}${count(execution.failedAuthorizations.length, 'rule')} not authorized: ${progress.error.message}): the exposure is closed, and those ports stay closed until someone authorizes them`;
  }
  progress.reason = `${plan.reason}${seen}`;
  let after = applyPlan(before, ownChanges(execution));
  if (concurrent || execution.authorized.length > 0 || execution.authorizeError !== undefined) {
    after = applyPlan(await gateway.describe(target), ownChanges(execution));
    progress.permissionsAfter = after.IpPermissions ?? [];
  }
  const check = planRemediation(alert, after, planOptions(settings));
  const vanishedRanges = settings.strategy === 'narrow' ? execution.alreadyGone.filter(isPortRange) : [];
  if (check.decision === 'remediate' || vanishedRanges.length > 0) {
    const why =
      check.decision === 'remediate'
        ? `the group read again still needs: ${check.reason}`
        : `${count(vanishedRanges.length, 'port range')} to revoke vanished, and another worker narrowing it may be about to re-authorize part of it`;
    progress.reason = `${plan.reason}${seen}; ${why}`;
    throw new ConcurrentChangeError(
      `a concurrent change was detected on ${target.groupId}: ${why}; the alert is checked again on redelivery`,
      { alertId: alert.id, accountId: target.accountId, region: target.region, groupId: target.groupId },
    );
  }
  if (progress.revoked.length === 0) {
    progress.reason = `every planned revocation was already gone (InvalidPermission.NotFound)${seen}; read again, the group no longer needs it (${check.reason})`;
    return 'already-compliant';
  }
  return 'remediated';
}

function unrecordedNote(earlier: UnrecordedChanges): string {
  if (earlier.revoked.length + earlier.authorized.length === 0) return '';
  const authorized =
    earlier.authorized.length > 0
      ? `, and ${count(earlier.authorized.length, 're-authorization')} it planned found in the group (not there before it) as authorized`
      : '';
  return `; an earlier attempt was taken over after its lease expired without its result being recorded: ${count(earlier.revoked.length, 'revocation')} it planned, absent on retry: removed by the earlier attempt whose result was not recorded, or by another change; counted as revoked${authorized} (its request ids are in its log)`;
}

function ownChanges(execution: PlanExecution): Pick<RemediationPlan, 'revoke' | 'authorize'> {
  return { revoke: execution.revoked, authorize: execution.authorized };
}

function concurrentChangeNote(execution: PlanExecution): string {
  const parts = [
    execution.alreadyGone.length > 0
      ? `${count(execution.alreadyGone.length, 'planned revocation')} already gone (InvalidPermission.NotFound)`
      : '',
    execution.alreadyThere.length > 0
      ? `${count(execution.alreadyThere.length, 'planned re-authorization')} already there (InvalidPermission.Duplicate)`
      : '',
    execution.notAuthorized.length > 0
      ? `${count(execution.notAuthorized.length, 're-authorization')} not made, as the rule it narrows was not revoked by this attempt`
      : '',
  ].filter((part) => part !== '');
  return `a concurrent change was detected: ${parts.join(', ')}`;
}

function planOptions(settings: ProcessingSettings): PlanOptions {
  return { strategy: settings.strategy, exemptTagKey: settings.exemptTagKey };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function accountRefusal(alert: Alert, allowed: ReadonlySet<string>): AccountNotAllowedError | undefined {
  const context = { alertId: alert.id, accountId: alert.accountId, groupId: alert.securityGroupId };
  if (alert.externalAccountArnAccountId !== alert.accountId) {
    return new AccountNotAllowedError(
      `the alert names account ${alert.accountId} but its external_accounts.arn names ${alert.externalAccountArnAccountId}`,
      context,
    );
  }
  if (!allowed.has(alert.accountId)) {
    return new AccountNotAllowedError(`account ${alert.accountId} is not on the hub's allow-list`, context);
  }
  return undefined;
}

/** A record for a message that never got a claim; `expiresAt: 0` lets the ledger apply its retention. */
function terminalBase(
  alertId: string,
  eventKey: string,
  alertStatus: string,
  startedAt: Date,
  completedAt: Date,
): LedgerRecord {
  return {
    alertId,
    eventKey,
    alertStatus,
    state: 'completed',
    recordedAt: completedAt.toISOString(),
    expiresAt: 0,
    revoked: [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: {
      firstSeenAt: startedAt.toISOString(),
      startedAt: startedAt.toISOString(),
      completedAt: completedAt.toISOString(),
      durationMs: completedAt.getTime() - startedAt.getTime(),
    },
  };
}

async function rejectUnreadable(
  message: AlertMessage,
  error: MalformedAlertError,
  deps: AlertProcessorDeps,
  startedAt: Date,
): Promise<AlertResult> {
  const peeked = peekAlertKey(message.body);
  const alertId = peeked?.alertId ?? `unparsed:${message.messageId}`;
  const status = peeked?.status ?? 'unknown';
  const eventKey = notificationEventKey(status);
  const recorded = toRecordedError(error);
  await deps.ledger.recordTerminal({
    ...terminalBase(alertId, eventKey, status, startedAt, deps.clock.now()),
    outcome: 'rejected',
    reason: error.message,
    error: recorded,
    messageId: message.messageId,
  });
  deps.logger
    .child({ messageId: message.messageId })
    .warn(
      { outcome: 'rejected', ledgerKey: { alertId, eventKey }, reason: error.message },
      'malformed alert rejected',
    );
  return {
    messageId: message.messageId,
    alertId,
    eventKey,
    accountId: undefined,
    region: undefined,
    groupId: undefined,
    outcome: 'rejected',
    error: recorded,
    takenOver: false,
  };
}
