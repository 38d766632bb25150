import {
  type AccountDirectory,
  AccountNotAllowedError,
  type AccountStanding,
  accountRefusal,
  type Clock,
  type CredentialsProvider,
  type DeadLetterQueue,
  type Finding,
  isRetryable,
  LeaseContentionError,
  type Ledger,
  type LedgerRecord,
  type Outcome,
  type OutcomeListener,
  parseFindings,
  type ReadFinding,
  type RecordedError,
  type RemediationMode,
  reclaimableOutcomes,
  renderReason,
  type SecurityGroupGateway,
  type Source,
  type Strategy,
  toRecordedError,
  type UnreadableFinding,
  unclaimedRecord,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { AlertAttempt } from './AlertAttempt.js';
import {
  carryOut,
  type FirstStep,
  firstStep,
  type GroupRead,
  type PlannedChange,
  readGroup,
  stopped,
} from './remediate.js';

/** The part of the hub's configuration that decides what happens to one alert. */
export interface ProcessingSettings {
  /** `dry-run`: every account is only planned for, whatever its standing. */
  mode: RemediationMode;
  strategy: Strategy;
  exemptTagKey: string;
  leaseSeconds: number;
}

export interface AlertProcessorDeps {
  settings: ProcessingSettings;
  /** Which accounts the hub acts in (and only plans for). */
  accounts: AccountDirectory;
  credentials: CredentialsProvider;
  gateway: SecurityGroupGateway;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  /** Waits between the tries of a re-authorization that failed with a retryable error (tests: no wait). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Told of every completed record, after its ledger write (outcome events, a source's write-back). */
  listeners?: readonly OutcomeListener[] | undefined;
  /** Where a message goes when not even its failure can be recorded; unset: it is retried. */
  deadLetters?: DeadLetterQueue | undefined;
}

/** One delivery of one queue message, which carries one finding or several (an EventBridge event). */
export interface AlertMessage {
  /** The SQS message id. */
  messageId: string;
  /** The SQS body: the finding's document (raw delivery) or its SNS envelope. */
  body: string;
  /** The lease owner: unique per delivery (e.g. `<Lambda request id>:<message id>`). */
  owner: string;
  /** SQS `ApproximateReceiveCount`, for the logs. */
  receiveCount?: number | undefined;
  /** The body already read by `parseFindings` (the batch reads it to order alerts by group). */
  findings?: readonly ReadFinding[] | undefined;
}

/** What became of one finding of a message. */
export interface AlertResult {
  messageId: string;
  source: Source | undefined;
  /** The control, signature or policy the finding is about, once read (`EC2.19`, `AWS:EC2-002`, a policy id). */
  control?: string | undefined;
  /** The ledger key, once known (`unparsed:<message id>` when no finding id could be read). */
  alertId: string | undefined;
  eventKey: string | undefined;
  accountId: string | undefined;
  region: string | undefined;
  groupId: string | undefined;
  /**
   * The recorded outcome; `retry`: the message goes back to the queue (a batch item failure);
   * `dead-lettered`: the hub put it on the dead-letter queue with its reason (`settleRefused`).
   */
  outcome: Outcome | 'retry' | 'dead-lettered';
  /** Set for terminal errors (recorded) and retryable ones (the reason for the retry). */
  error: RecordedError | undefined;
  /** True when the claim took over an expired lease of another worker. */
  takenOver: boolean;
}

/**
 * One queue message through the hub: each finding it carries is processed and recorded on its own, one after
 * the other (several findings of one event are often about one group). A finding that cannot be read is
 * `rejected` with its reason; it never stops the others.
 */
export async function processMessage(
  message: AlertMessage,
  deps: AlertProcessorDeps,
): Promise<AlertResult[]> {
  const results: AlertResult[] = [];
  const findings = message.findings ?? parseFindings(message.body);
  for (const [index, read] of findings.entries()) {
    // An unreadable finding without a readable key is keyed by its message (and its place in it, if several).
    const position = findings.length > 1 ? `:${index}` : '';
    try {
      results.push(
        read.finding !== undefined
          ? await processAlert(read.finding, message, deps)
          : await rejectUnreadable(read.unreadable, message, position, deps),
      );
    } catch (error) {
      // Retryable: the message comes back (the findings completed so far are duplicates then). Terminal: it
      // would fail the same way on every delivery, so it is settled now.
      if (isRetryable(error)) throw error;
      results.push(await settleRefused(read, message, position, error, deps));
    }
  }
  return results;
}

/**
 * One finding through the hub (docs/architecture.md, "One alert"): check the account (before any STS call),
 * read the group (credentials, describe) and plan, then claim the notification in the ledger with one write
 * that carries the attempt's checkpoint (the plan and the group before) or, when no EC2 change follows, its
 * completion; then revoke, confirm and complete the record. An earlier attempt's work is resumed from the
 * record the claim found. After a retryable error the lease is released (by the claim's own write when it
 * came first) and the message comes back. Terminal errors are recorded as the outcome and the message is
 * consumed.
 */
export async function processAlert(
  finding: Finding,
  message: AlertMessage,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const alert = await alertContext(finding, message, deps);
  const refusal = alert.standing === undefined ? undefined : accountRefusal(finding, alert.standing);
  if (refusal !== undefined) return rejectAccount(alert, refusal, deps);
  const read = await readGroup(finding, deps);
  const claimed = await claim(alert, read, deps);
  if (!('attempt' in claimed)) return claimed;
  const { attempt, step } = claimed;
  if (step.kind !== 'change') {
    // The claim's write was the attempt's last: its release, or its completion.
    logStopped(alert, attempt, step);
    if (step.kind === 'retry') return alert.result('retry', step.error, attempt.takenOver);
    return completed(alert, attempt, claimed.record, step.outcome, step.error, deps);
  }
  const { outcome, error } = await remediateOrStop(alert, attempt, step.change, deps);
  if (outcome === 'retry') {
    await attempt.release(error);
    return alert.result('retry', error, attempt.takenOver);
  }
  return complete(alert, attempt, outcome, error, deps);
}

/** What every step knows about the finding being processed. */
interface AlertContext {
  finding: Finding;
  message: AlertMessage;
  startedAt: Date;
  /**
   * How the hub stands towards the finding's account; not asked for a finding the source says is not there
   * (`finding.inactive`): it is `ignored` whatever the account (a tool's test message names none).
   */
  standing: AccountStanding | undefined;
  dryRun: boolean;
  /** Carries the finding's trusted keys on every line. */
  log: Logger;
  result: (outcome: Outcome | 'retry', error?: RecordedError, takenOver?: boolean) => AlertResult;
}

/**
 * The finding's context, with the account's standing: asked before anything else, so an account the hub
 * cannot vouch for (its directory unreachable) is a retry before any ledger write or STS call.
 */
async function alertContext(
  finding: Finding,
  message: AlertMessage,
  deps: AlertProcessorDeps,
): Promise<AlertContext> {
  // As documented on `standing`: an inactive finding (a test message names no real account) is never refused.
  const standing =
    finding.inactive === undefined ? await deps.accounts.standing(finding.accountId) : undefined;
  return {
    finding,
    message,
    startedAt: deps.clock.now(),
    standing,
    dryRun: deps.settings.mode === 'dry-run' || standing === 'dry-run',
    log: deps.logger.child({
      alertId: finding.id,
      source: finding.source,
      accountId: finding.accountId,
      region: finding.region,
      groupId: finding.groupId,
    }),
    result: (outcome, error, takenOver = false) => ({
      messageId: message.messageId,
      source: finding.source,
      control: finding.control.id,
      alertId: finding.id,
      eventKey: finding.eventKey,
      accountId: finding.accountId,
      region: finding.region,
      groupId: finding.groupId,
      outcome,
      error,
      takenOver,
    }),
  };
}

/**
 * Claims the notification: an attempt, or the answer for a delivery that gets none. A completed notification
 * is a `duplicate` (counted), except where the hub changed nothing and the configuration may now decide
 * otherwise (core's `reclaimableOutcomes`); a live lease of another worker, or a record another worker wrote
 * after the group was read, is a retry. The claim's write is the attempt's first record, built from the
 * record it claims and the group read before (`firstStep`): its checkpoint, or its completion or release.
 */
async function claim(
  alert: AlertContext,
  read: GroupRead,
  deps: AlertProcessorDeps,
): Promise<{ attempt: AlertAttempt; step: FirstStep; record: LedgerRecord } | AlertResult> {
  const { finding, log, startedAt } = alert;
  // The attempt and step of the claim's last round: the one whose write the ledger took.
  let first: { attempt: AlertAttempt; step: FirstStep } | undefined;
  const claimed = await deps.ledger.claim({
    alertId: finding.id,
    eventKey: finding.eventKey,
    alertStatus: finding.status,
    owner: alert.message.owner,
    leaseSeconds: deps.settings.leaseSeconds,
    now: startedAt,
    readAt: read.kind === 'early' ? undefined : read.readAt,
    fields: claimFields(alert, deps.settings),
    reclaimableOutcomes: reclaimableOutcomes(alert.dryRun),
    write: (record, how) => {
      const attempt = new AlertAttempt(record, how === 'take-over', {
        ledger: deps.ledger,
        clock: deps.clock,
        log,
        mode: alert.dryRun ? 'dry-run' : 'remediate',
        leaseSeconds: deps.settings.leaseSeconds,
        startedAt,
      });
      const step = firstStep(finding, attempt, read, deps, alert.dryRun);
      first = { attempt, step };
      if (step.kind === 'change') return attempt.checkpointRecord();
      if (step.kind === 'retry') return attempt.releasedRecord(step.error);
      return attempt.completedRecord(step.outcome, step.error, alert.message.messageId);
    },
  });
  if (claimed.kind === 'duplicate') {
    await deps.ledger.countDuplicate(finding.id, finding.eventKey, startedAt, alert.message.owner);
    log.info({ outcome: 'duplicate', recordedOutcome: claimed.record.outcome }, 'duplicate delivery');
    return alert.result('duplicate');
  }
  if (claimed.kind === 'contended') {
    log.info(
      { leaseExpiresAt: claimed.record.leaseExpiresAt, recordedAt: claimed.record.recordedAt },
      'lease held by another worker, or the record changed since the group was read: retrying later',
    );
    const error = new LeaseContentionError(
      `another worker holds the lease on ${finding.id}/${finding.eventKey}, or wrote its record since the group was read`,
      {
        alertId: finding.id,
        accountId: finding.accountId,
        groupId: finding.groupId,
      },
    );
    return alert.result('retry', toRecordedError(error));
  }
  if (first === undefined) throw new Error('the ledger claimed the notification without building its write');
  if (claimed.takenOver) log.warn({ attempts: claimed.record.attempts }, 'took over an expired lease');
  return { ...first, record: claimed.record };
}

/** Carries out the planned changes, turning a thrown error into the outcome it means: `retry`, `resource-gone` or `failed`. */
async function remediateOrStop(
  alert: AlertContext,
  attempt: AlertAttempt,
  change: PlannedChange,
  deps: AlertProcessorDeps,
): Promise<
  { outcome: Outcome; error: RecordedError | undefined } | { outcome: 'retry'; error: RecordedError }
> {
  try {
    const outcome = await carryOut(alert.finding, attempt, change, deps);
    return { outcome, error: attempt.progress.error };
  } catch (error) {
    const step = stopped(error);
    logStopped(alert, attempt, step, error);
    return step.kind === 'retry'
      ? { outcome: 'retry', error: step.error }
      : { outcome: step.outcome, error: step.error };
  }
}

/** The log line of an attempt stopped by an error (`cause`; a step's own when it came before the claim). */
function logStopped(
  alert: AlertContext,
  attempt: AlertAttempt,
  step: Exclude<FirstStep, { kind: 'change' }>,
  cause: unknown = step.kind === 'retry' ? step.cause : undefined,
): void {
  if (step.kind === 'retry') {
    alert.log.warn({ err: cause, ...attempt.done() }, 'retryable error, the message will come back');
  } else if (step.outcome === 'resource-gone') {
    // Expected (the group was deleted since the alert): recorded, and no warning or stack trace.
    alert.log.info({ outcome: 'resource-gone', error: step.error?.message }, 'security group gone');
  } else if (step.outcome === 'failed' && step.error !== undefined) {
    alert.log.warn({ err: cause ?? step.error, outcome: 'failed' }, 'terminal error');
  }
}

/**
 * Completes the record. When that write fails, what EC2 did is in the log line whatever happens to the
 * record; a retryable failure releases the lease (the checkpoint has the plan and the group before) and sends
 * the message back.
 */
async function complete(
  alert: AlertContext,
  attempt: AlertAttempt,
  outcome: Outcome,
  error: RecordedError | undefined,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const { log } = alert;
  let record: LedgerRecord;
  try {
    record = await attempt.complete(outcome, error, alert.message.messageId);
  } catch (writeError) {
    log.warn(
      { err: writeError, outcome, ...attempt.done() },
      'could not complete the ledger record, the message will come back',
    );
    if (!isRetryable(writeError)) throw writeError;
    await attempt.release(toRecordedError(writeError));
    return alert.result('retry', toRecordedError(writeError), attempt.takenOver);
  }
  return completed(alert, attempt, record, outcome, error, deps);
}

/** The attempt's completion is written: its log line, and the listeners are told. */
async function completed(
  alert: AlertContext,
  attempt: AlertAttempt,
  record: LedgerRecord,
  outcome: Outcome,
  error: RecordedError | undefined,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const { log } = alert;
  const { revoked, authorized, explanation } = attempt.progress;
  log.info(
    {
      outcome,
      reasonCode: explanation?.reason.code,
      revoked: revoked.length,
      authorized: authorized.length,
      error,
      attempts: attempt.claimed.attempts,
      previousOutcome: attempt.claimed.previousOutcome,
    },
    'alert processed',
  );
  await tellListeners(record, deps, log);
  return alert.result(outcome, error, attempt.takenOver);
}

/** A finding whose account the hub must not act in: `rejected`, recorded, never reaching STS. */
async function rejectAccount(
  alert: AlertContext,
  reason: NonNullable<ReturnType<typeof accountRefusal>>,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const { finding } = alert;
  const error = toRecordedError(
    new AccountNotAllowedError(renderReason(reason), {
      alertId: finding.id,
      accountId: finding.accountId,
      groupId: finding.groupId,
    }),
  );
  const record = unclaimedRecord(
    { alertId: finding.id, eventKey: finding.eventKey, alertStatus: finding.status },
    claimFields(alert, deps.settings),
    {
      outcome: 'rejected',
      explanation: { reason, notes: [] },
      error,
      startedAt: alert.startedAt,
      now: deps.clock.now(),
    },
  );
  const written = await deps.ledger.recordTerminal(record);
  alert.log.warn({ outcome: 'rejected', reasonCode: reason.code, reason: record.reason }, 'alert rejected');
  if (written) await tellListeners(record, deps, alert.log);
  return alert.result('rejected', error);
}

/** A finding (or message) the hub cannot read: `rejected` with the parser's one-line reason. */
async function rejectUnreadable(
  unreadable: UnreadableFinding,
  message: AlertMessage,
  position: string,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const { key, error } = unreadable;
  const alertId = key?.id ?? `unparsed:${message.messageId}${position}`;
  const eventKey = key?.eventKey ?? 'unknown';
  const record = unclaimedRecord(
    { alertId, eventKey, alertStatus: key?.status ?? 'unknown' },
    { source: unreadable.source, messageId: message.messageId },
    {
      outcome: 'rejected',
      explanation: { reason: { code: 'malformed', message: error.message }, notes: [] },
      error: toRecordedError(error),
      startedAt: deps.clock.now(),
      now: deps.clock.now(),
    },
  );
  const written = await deps.ledger.recordTerminal(record);
  const log = deps.logger.child({ messageId: message.messageId });
  log.warn(
    { outcome: 'rejected', ledgerKey: { alertId, eventKey }, reason: error.message },
    'malformed alert rejected',
  );
  if (written) await tellListeners(record, deps, log);
  return {
    messageId: message.messageId,
    source: unreadable.source,
    alertId,
    eventKey,
    accountId: undefined,
    region: undefined,
    groupId: undefined,
    outcome: 'rejected',
    error: record.error,
    takenOver: false,
  };
}

/**
 * A finding whose processing failed with an error that would come back on every delivery (the ledger refused
 * its record: an item too large, a key it will not take, no access): `failed`, recorded under a key of the
 * message that the ledger cannot refuse, and the message consumed. When even that record is refused, the
 * message goes to the dead-letter queue with the reason; without one configured, it is retried as before.
 */
async function settleRefused(
  read: ReadFinding,
  message: AlertMessage,
  position: string,
  error: unknown,
  deps: AlertProcessorDeps,
): Promise<AlertResult> {
  const { finding } = read;
  const key = finding !== undefined ? { id: finding.id, eventKey: finding.eventKey } : read.unreadable.key;
  const recorded = toRecordedError(error);
  const log = deps.logger.child({ messageId: message.messageId, alertId: key?.id });
  const base = {
    messageId: message.messageId,
    source: finding?.source ?? read.unreadable?.source,
    accountId: finding?.accountId,
    region: finding?.region,
    groupId: finding?.groupId,
    error: recorded,
    takenOver: false,
  };
  const record = unclaimedRecord(
    {
      alertId: `unrecorded:${message.messageId}${position}`,
      eventKey: 'unknown',
      alertStatus: finding?.status ?? 'unknown',
    },
    {
      source: base.source,
      accountId: base.accountId,
      region: base.region,
      resourceId: base.groupId,
      messageId: message.messageId,
    },
    {
      outcome: 'failed',
      explanation: {
        reason: {
          code: 'record-refused',
          alertId: key?.id,
          eventKey: key?.eventKey,
          error: recorded.message,
        },
        notes: [],
      },
      error: recorded,
      startedAt: deps.clock.now(),
      now: deps.clock.now(),
    },
  );
  try {
    await deps.ledger.recordTerminal(record);
  } catch (recordError) {
    if (deps.deadLetters === undefined) throw error;
    await deps.deadLetters.send({ messageId: message.messageId, body: message.body }, recorded);
    log.error(
      { err: error, recordError },
      'not even the failure could be recorded: dead-lettered with its reason',
    );
    return { ...base, alertId: key?.id, eventKey: key?.eventKey, outcome: 'dead-lettered' };
  }
  log.error({ err: error }, 'the ledger refused the record: recorded as failed under the message key');
  await tellListeners(record, deps, log);
  return { ...base, alertId: record.alertId, eventKey: record.eventKey, outcome: 'failed' };
}

/** The fields a claim (or a refusal's record) writes about the finding. */
function claimFields(alert: AlertContext, settings: ProcessingSettings): Partial<LedgerRecord> {
  const { finding } = alert;
  return {
    source: finding.source,
    accountId: finding.accountId,
    region: finding.region,
    resourceId: finding.groupId,
    signature: { identifier: finding.control.id, name: finding.control.name },
    riskLevel: finding.riskLevel,
    sourceRef: finding.sourceRef,
    sourceFirstSeenAt: finding.firstSeenAt,
    mode: alert.dryRun ? 'dry-run' : 'remediate',
    strategy: settings.strategy,
    messageId: alert.message.messageId,
  };
}

/**
 * Tells the listeners of a completed record (outcome events, a source's write-back), one after the other. The
 * outcome stands whatever they do: a listener's failure is logged, never thrown.
 */
async function tellListeners(record: LedgerRecord, deps: AlertProcessorDeps, log: Logger): Promise<void> {
  for (const listener of deps.listeners ?? []) {
    try {
      await listener.completed(record);
    } catch (error) {
      log.error({ err: error, listener: listener.name }, 'a listener of the completed record failed');
    }
  }
}
