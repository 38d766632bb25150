import {
  applyPlan,
  ConcurrentChangeError,
  decideWithoutTheGroup,
  type Finding,
  hasDoubt,
  type IpPermission,
  isPortRange,
  isRetryable,
  type Note,
  type Outcome,
  outcomeWithoutChanges,
  type PlanOptions,
  planRemediation,
  type RecordedError,
  type RemediationPlan,
  ResourceGoneError,
  renderNote,
  type SecurityGroup,
  targetOf,
  toRecordedError,
  unmadeReauthorizations,
  unrecordedChanges,
} from '@remediation-hub/core';
import type { AlertAttempt } from './AlertAttempt.js';
import { AUTHORIZE_RETRY_DELAYS_MS, emptyExecution, executePlan, type PlanExecution } from './executePlan.js';
import type { AlertProcessorDeps } from './processAlert.js';

type RemediationDeps = Pick<AlertProcessorDeps, 'settings' | 'credentials' | 'gateway' | 'sleep' | 'clock'>;

/**
 * The group as read before the claim, so that the claim's own write can carry the attempt's checkpoint (or its
 * completion): `early` when the finding cannot lead to a change and nothing is read (no credentials either);
 * else the group, or the error reading it (credentials or describe), settled once the alert is claimed.
 */
export type GroupRead =
  | { kind: 'early'; plan: RemediationPlan }
  | { kind: 'group'; readAt: Date; roleArn: string; group: SecurityGroup }
  | { kind: 'failed'; readAt: Date; roleArn: string | undefined; error: unknown };

/** The attempt's first step, decided from the claimed record and the group read before the claim. */
export type FirstStep =
  /** EC2 changes follow: the claim writes the checkpoint (the plan, the group before), then `carryOut`. */
  | { kind: 'change'; change: PlannedChange }
  /** No EC2 change follows: the claim writes the completion. */
  | { kind: 'done'; outcome: Outcome; error: RecordedError | undefined }
  /** A retryable error before any change: the claim writes the release, and the message comes back. */
  | { kind: 'retry'; error: RecordedError; cause: unknown };

/** What `carryOut` needs of the plan made before the claim. */
export interface PlannedChange {
  plan: RemediationPlan;
  before: SecurityGroup;
  earlier: readonly Note[];
  options: PlanOptions;
}

/**
 * Reads what the plan needs before the alert is claimed: the member role's credentials and the group. A
 * finding that cannot lead to a change needs neither. `readAt`: when the read began (a claim answers
 * `contended` for a record another worker wrote after it, see core's `ClaimRequest.readAt`).
 */
export async function readGroup(finding: Finding, deps: RemediationDeps): Promise<GroupRead> {
  const early = decideWithoutTheGroup(finding);
  if (early !== undefined) return { kind: 'early', plan: early };
  const readAt = deps.clock.now();
  let roleArn: string | undefined;
  try {
    roleArn = (await deps.credentials.forAccount(finding.accountId)).roleArn;
    const group = await deps.gateway.describe(targetOf(finding));
    return { kind: 'group', readAt, roleArn, group };
  } catch (error) {
    return { kind: 'failed', readAt, roleArn, error };
  }
}

/**
 * The attempt's first step, from the record as claimed (`attempt`, whose progress resumes what earlier
 * attempts did) and the group read before the claim: what earlier attempts left, the plan, and whether it
 * needs an EC2 change (not when the group needs none, or the account is in dry-run). Fills in
 * `attempt.progress`; no I/O, so the ledger can build its claim's write from it (again for each round).
 */
export function firstStep(
  finding: Finding,
  attempt: AlertAttempt,
  read: GroupRead,
  deps: RemediationDeps,
  dryRun: boolean,
): FirstStep {
  const { progress } = attempt;
  if (read.kind === 'early') {
    // `ignored` or `unsupported`: always an outcome without changes.
    return { kind: 'done', outcome: decided(attempt, read.plan, [], dryRun) ?? 'failed', error: undefined };
  }
  progress.roleArn = read.roleArn;
  if (read.kind === 'failed') {
    keepUnrecordedInDoubt(attempt);
    return stopped(read.error);
  }
  try {
    const before = read.group;
    const live = before.IpPermissions ?? [];
    progress.permissionsBefore ??= live;
    progress.permissionsAfter = live;

    const earlier = resumeEarlierWork(attempt, before);
    // One time for the plan and its check: a dated exemption is judged once per attempt.
    const options = planOptions(deps);
    const plan = planRemediation(finding, before, options);
    const outcome = decided(attempt, plan, earlier, dryRun);
    if (outcome !== undefined) return { kind: 'done', outcome, error: progress.error };
    return { kind: 'change', change: { plan, before, earlier, options } };
  } catch (error) {
    return stopped(error);
  }
}

/**
 * What an error means for the attempt: a retry, `resource-gone` (the group was deleted since the alert), or
 * `failed` (terminal, recorded).
 */
export function stopped(error: unknown): Exclude<FirstStep, { kind: 'change' }> {
  const recorded = toRecordedError(error);
  if (isRetryable(error)) return { kind: 'retry', error: recorded, cause: error };
  return {
    kind: 'done',
    outcome: error instanceof ResourceGoneError ? 'resource-gone' : 'failed',
    error: recorded,
  };
}

/**
 * The planned EC2 calls of a claimed attempt whose checkpoint the claim wrote, and a check that the exposure
 * is closed. Fills in `attempt.progress` as it goes, so a thrown error still leaves the record saying exactly
 * what was done.
 */
export async function carryOut(
  finding: Finding,
  attempt: AlertAttempt,
  change: PlannedChange,
  deps: RemediationDeps,
): Promise<Outcome> {
  const execution = await applyChanges(finding, attempt, change.plan, change.before, deps);
  return confirmClosed(finding, attempt, { ...change, execution }, deps);
}

/** Records the plan's decision on the attempt; the outcome when no EC2 change follows, else `undefined`. */
function decided(
  attempt: AlertAttempt,
  plan: RemediationPlan,
  earlier: readonly Note[],
  dryRun: boolean,
): Outcome | undefined {
  const { progress } = attempt;
  progress.decision = plan.decision;
  progress.explanation = { reason: plan.explanation.reason, notes: [...plan.explanation.notes, ...earlier] };
  if (plan.decision !== 'ignored' && plan.decision !== 'unsupported') {
    progress.plan = { revoke: plan.revoke, authorize: plan.authorize };
  }
  return outcomeWithoutChanges(plan.decision, { revokedBefore: progress.revoked.length, dryRun });
}

/**
 * What earlier attempts left, read from the group as it is now: the changes of an attempt taken over after
 * its lease expired without recording them (counted as its work), changes an attempt left in doubt (counted
 * as the hub's when made), and re-authorizations an attempt planned but never made (not made now: other alerts
 * may have settled on the group meanwhile). Returns the notes.
 */
function resumeEarlierWork(attempt: AlertAttempt, group: SecurityGroup): Note[] {
  const { progress } = attempt;
  const live = group.IpPermissions ?? [];
  const notes: Note[] = [];
  if (attempt.unrecorded !== undefined) {
    const unrecorded = unrecordedChanges(attempt.unrecorded, live);
    progress.revoked.push(...unrecorded.revoked);
    progress.authorized.push(...unrecorded.authorized);
    if (unrecorded.revoked.length + unrecorded.authorized.length > 0) {
      notes.push({
        code: 'unrecorded-changes-counted',
        revoked: unrecorded.revoked.length,
        authorized: unrecorded.authorized.length,
      });
    }
  }
  notes.push(...settleDoubt(attempt, live));
  const unmade = unmadeReauthorizations(attempt.claimed, progress.revoked, progress.authorized, live);
  if (unmade.length > 0) notes.push({ code: 'reauthorizations-unmade', count: unmade.length });
  return notes;
}

/**
 * A takeover that cannot read the group (throttled, denied) cannot tell what the attempt it took over changed.
 * Its checkpointed plan, which this attempt's release or completion drops, stays on the record as changes in
 * doubt, so that the attempt that next reads the group counts those made as the hub's: else the only trace of
 * that attempt's revocations would be gone, and undo could not restore them.
 */
function keepUnrecordedInDoubt(attempt: AlertAttempt): void {
  const plan = attempt.unrecorded?.plan;
  if (plan === undefined) return;
  const { progress } = attempt;
  const inDoubt = progress.inDoubt ?? { revoke: [], authorize: [] };
  progress.inDoubt = {
    revoke: [...inDoubt.revoke, ...plan.revoke],
    authorize: [...inDoubt.authorize, ...plan.authorize],
  };
}

/**
 * Changes in doubt (sent, their outcome unknown), read back from the group: those found made are the hub's
 * (a note says their answer was lost); the others were not made. Either way they are no longer in doubt.
 */
function settleDoubt(attempt: AlertAttempt, live: readonly IpPermission[]): Note[] {
  const { progress } = attempt;
  const inDoubt = progress.inDoubt;
  if (inDoubt === undefined || !hasDoubt(inDoubt)) return [];
  const made = unrecordedChanges(
    { ...attempt.claimed, ...progress, plan: inDoubt, permissionsBefore: progress.permissionsBefore },
    live,
  );
  progress.revoked.push(...made.revoked);
  progress.authorized.push(...made.authorized);
  progress.inDoubt = undefined;
  if (made.revoked.length + made.authorized.length === 0) return [];
  return [{ code: 'answer-lost', revoked: made.revoked.length, authorized: made.authorized.length }];
}

/**
 * The plan's EC2 calls (see `executePlan`: one per rule, revocations first, each checked against the lease).
 * What EC2 confirmed goes on the attempt even when a later call throws; the group after is computed from it,
 * not described again (DescribeSecurityGroups is eventually consistent).
 */
async function applyChanges(
  finding: Finding,
  attempt: AlertAttempt,
  plan: RemediationPlan,
  before: SecurityGroup,
  deps: RemediationDeps,
): Promise<PlanExecution> {
  const { progress } = attempt;
  const execution = emptyExecution();
  try {
    await executePlan(
      deps.gateway,
      targetOf(finding),
      plan,
      execution,
      () => attempt.assertLeaseMargin(finding),
      {
        sleep: deps.sleep,
      },
    );
  } finally {
    progress.revoked.push(...execution.revoked);
    progress.authorized.push(...execution.authorized);
    progress.requestIds.push(...execution.requestIds);
    progress.permissionsAfter = applyPlan(before, ownChanges(execution)).IpPermissions ?? [];
    if (hasDoubt(execution.inDoubt)) progress.inDoubt = execution.inDoubt;
  }
  return execution;
}

/**
 * Before declaring success: is the finding's exposure closed in the group as it is now? When EC2 said a rule
 * was already gone or already there (someone else changed the group meanwhile), or when the attempt added
 * access (`narrow`), the group is described again (with this attempt's own changes applied on top, in case the
 * read does not show them yet) and planned again. Still open: a retryable `ConcurrentChangeError`, and the next
 * delivery plans from the group as it is then. When the plan re-opens part of what it revokes (`narrow`, or a
 * control's authorised ports), a vanished port range is also retried: another worker may be re-opening part of
 * that range and about to re-authorize a part of it that holds this finding's port.
 */
async function confirmClosed(
  finding: Finding,
  attempt: AlertAttempt,
  done: {
    plan: RemediationPlan;
    before: SecurityGroup;
    execution: PlanExecution;
    earlier: readonly Note[];
    options: PlanOptions;
  },
  deps: RemediationDeps,
): Promise<Outcome> {
  const { progress } = attempt;
  const { plan, execution } = done;
  const notes: Note[] = [...plan.explanation.notes, ...done.earlier, ...executionNotes(execution)];
  if (execution.authorizeError !== undefined) progress.error = toRecordedError(execution.authorizeError);
  progress.explanation = { reason: plan.explanation.reason, notes };

  const concurrent = execution.alreadyGone.length + execution.alreadyThere.length > 0;
  let after = applyPlan(done.before, ownChanges(execution));
  if (concurrent || execution.authorized.length > 0 || execution.authorizeError !== undefined) {
    const read = await deps.gateway.describe(targetOf(finding));
    // A re-authorization whose last try failed may have been made: the fresh read says.
    notes.push(...settleDoubt(attempt, read.IpPermissions ?? []));
    after = applyPlan(read, ownChanges(execution));
    progress.permissionsAfter = after.IpPermissions ?? [];
  }
  const check = planRemediation(finding, after, done.options);
  // A plan that re-opens part of what it revokes (narrow, or authorised ports) may race another worker
  // re-opening part of a range that vanished under it.
  const vanished = plan.authorize.length > 0 ? execution.alreadyGone.filter(isPortRange).length : 0;
  if (check.decision === 'remediate' || vanished > 0) {
    const still: Note =
      check.decision === 'remediate'
        ? { code: 'still-needed', check: check.explanation.reason }
        : { code: 'ranges-vanished', count: vanished };
    progress.explanation = { reason: plan.explanation.reason, notes: [...notes, still] };
    throw new ConcurrentChangeError(
      `a concurrent change was detected on ${finding.groupId}: ${renderNote(still)}; the alert is checked again on redelivery`,
      { alertId: finding.id, accountId: finding.accountId, region: finding.region, groupId: finding.groupId },
    );
  }
  if (progress.revoked.length === 0) {
    progress.explanation = { reason: { code: 'already-closed', check: check.explanation.reason }, notes };
    return 'already-compliant';
  }
  return 'remediated';
}

/** What the EC2 calls said beyond what they changed: a concurrent change, a failed re-authorization. */
function executionNotes(execution: PlanExecution): Note[] {
  const notes: Note[] = [];
  const { alreadyGone, alreadyThere, notAuthorized } = execution;
  if (alreadyGone.length + alreadyThere.length > 0) {
    notes.push({
      code: 'concurrent-change',
      alreadyGone: alreadyGone.length,
      alreadyThere: alreadyThere.length,
      notAuthorized: notAuthorized.length,
    });
  }
  if (execution.answerLost.length > 0) {
    const revoked = execution.answerLost.filter((rule) => execution.revoked.includes(rule)).length;
    notes.push({ code: 'answer-lost', revoked, authorized: execution.answerLost.length - revoked });
  }
  if (execution.authorizeError !== undefined) {
    notes.push({
      code: 'reauthorization-failed',
      rules: execution.failedAuthorizations.length,
      retriesExhausted: execution.authorizeRetriesExhausted,
      retries: AUTHORIZE_RETRY_DELAYS_MS.length,
      error: toRecordedError(execution.authorizeError).message,
    });
  }
  return notes;
}

function ownChanges(execution: PlanExecution): Pick<RemediationPlan, 'revoke' | 'authorize'> {
  return { revoke: execution.revoked, authorize: execution.authorized };
}

function planOptions(deps: RemediationDeps): PlanOptions {
  return {
    strategy: deps.settings.strategy,
    exemptTagKey: deps.settings.exemptTagKey,
    now: deps.clock.now(),
  };
}
