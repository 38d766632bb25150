import {
  applyPlan,
  ConcurrentChangeError,
  decideWithoutTheGroup,
  type Finding,
  hasDoubt,
  type IpPermission,
  isPortRange,
  type Note,
  type Outcome,
  outcomeWithoutChanges,
  type PlanOptions,
  planRemediation,
  type RemediationPlan,
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
 * The remediation of one claimed finding: credentials, describe, what an earlier attempt left, plan, and
 * (unless the plan needs no change, or the account is in dry-run) checkpoint, the EC2 calls and a check that
 * the exposure is closed. Fills in `attempt.progress` as it goes, so a thrown error still leaves the record
 * saying exactly what was done.
 */
export async function remediate(
  finding: Finding,
  attempt: AlertAttempt,
  deps: RemediationDeps,
  dryRun: boolean,
): Promise<Outcome> {
  const { progress } = attempt;
  // A finding that cannot lead to a change needs no credentials at all.
  const early = decideWithoutTheGroup(finding);
  const decidedEarly = early === undefined ? undefined : decided(attempt, early, [], dryRun);
  if (decidedEarly !== undefined) return decidedEarly;

  progress.roleArn = (await deps.credentials.forAccount(finding.accountId)).roleArn;
  const before = await deps.gateway.describe(targetOf(finding));
  const live = before.IpPermissions ?? [];
  progress.permissionsBefore ??= live;
  progress.permissionsAfter = live;

  const earlier = resumeEarlierWork(attempt, before);
  // One time for the plan and its check: a dated exemption is judged once per attempt.
  const options = planOptions(deps);
  const plan = planRemediation(finding, before, options);
  const outcome = decided(attempt, plan, earlier, dryRun);
  if (outcome !== undefined) return outcome;

  await attempt.checkpoint();
  const execution = await applyChanges(finding, attempt, plan, before, deps);
  return confirmClosed(finding, attempt, { plan, before, execution, earlier, options }, deps);
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
