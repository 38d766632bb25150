import {
  type GroupTarget,
  type IpPermission,
  isPartOf,
  isRetryable,
  type MutationResult,
  type RemediationPlan,
  type SecurityGroupGateway,
} from '@remediation-hub/core';
import { mayHaveBeenApplied } from '../adapters/mapAwsError.js';

/** What one attempt's EC2 calls did. Filled in call by call, so it is right up to a call that threw. */
export interface PlanExecution {
  /** Revocations EC2 confirmed. */
  revoked: IpPermission[];
  /** Re-authorizations (`narrow`) EC2 confirmed. */
  authorized: IpPermission[];
  requestIds: string[];
  /** Revocations EC2 did not find (`InvalidPermission.NotFound`, `UnknownIpPermissions`): removed by someone else. */
  alreadyGone: IpPermission[];
  /** Re-authorizations EC2 already had (`InvalidPermission.Duplicate`): added by someone else. */
  alreadyThere: IpPermission[];
  /** Re-authorizations not made, because the revocation of their rule was not confirmed. */
  notAuthorized: IpPermission[];
  /** Re-authorizations not made because one failed (`authorizeError`): their rules stay revoked. */
  failedAuthorizations: IpPermission[];
  /**
   * The first error of a re-authorization: a terminal one, or a retryable one still there after
   * `AUTHORIZE_RETRY_DELAYS_MS.length` more tries. The exposure is closed by then (its rule's revocation was
   * confirmed), so it does not stop the attempt: the remaining rules are still revoked, none re-authorized.
   */
  authorizeError: unknown;
  /** Whether `authorizeError` is a retryable error the re-authorization kept failing with after its retries. */
  authorizeRetriesExhausted: boolean;
  /**
   * Changes EC2 made whose answer was lost: the call was sent again (by the SDK, or by the re-authorization's
   * own retries) and found the change already made. They are in `revoked` / `authorized` too: the hub's work.
   */
  answerLost: IpPermission[];
  /**
   * Changes sent whose outcome is unknown: the call failed without an answer (a reset, a timeout) or with a 5xx,
   * so EC2 may or may not have applied it (a throttle or a 4xx says it did not). The attempt stops; the next one reads the group and
   * counts them as made when it finds them made (core's `unrecordedChanges`).
   */
  inDoubt: { revoke: IpPermission[]; authorize: IpPermission[] };
}

/**
 * The waits before each further try of a re-authorization that failed with a retryable error (after the SDK's
 * own retries): throttling, a 5xx, an expired member session. Made within the attempt, because the message is
 * consumed once the exposure is closed, and a redelivery does not make re-authorizations an earlier attempt left.
 */
export const AUTHORIZE_RETRY_DELAYS_MS: readonly number[] = [200, 400, 800];

export interface ExecutePlanOptions {
  /** Waits between the tries of a re-authorization (tests pass one that does not wait). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function emptyExecution(): PlanExecution {
  return {
    revoked: [],
    authorized: [],
    requestIds: [],
    alreadyGone: [],
    alreadyThere: [],
    notAuthorized: [],
    failedAuthorizations: [],
    authorizeError: undefined,
    authorizeRetriesExhausted: false,
    answerLost: [],
    inDoubt: { revoke: [], authorize: [] },
  };
}

/**
 * The plan's EC2 calls, one per rule, revocations first. A revoked rule's re-authorizations (strategy `narrow`:
 * the rest of its port range; a control's authorised ports inside it, EC2.18) follow its own revocation, and
 * only once EC2 confirmed it: the hub re-opens only what it has itself just closed, so it never adds access,
 * even when another alert for the same group (a `narrow` of another port of the same range) or a person
 * removed the rule first. The range is cut off only between a rule's revocation and its re-authorizations. A
 * re-authorization that fails with a retryable error is tried again a few times (`AUTHORIZE_RETRY_DELAYS_MS`);
 * a terminal error, or retries exhausted, does not stop the revocations (`authorizeError`). `beforeMutation`
 * runs before each call and each further try (the lease check) and may throw to stop before it. A revocation
 * that fails with a retryable error stops the plan, its rule `inDoubt` when EC2 may have applied it anyway.
 */
export async function executePlan(
  gateway: SecurityGroupGateway,
  target: GroupTarget,
  plan: Pick<RemediationPlan, 'revoke' | 'authorize'>,
  execution: PlanExecution,
  beforeMutation: () => void,
  options: ExecutePlanOptions = {},
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  let pending = [...plan.authorize];
  for (const rule of plan.revoke) {
    const parts = pending.filter((entry) => isPartOf(entry, rule));
    pending = pending.filter((entry) => !parts.includes(entry));

    beforeMutation();
    const revoked = await inDoubtOnRetryable(execution.inDoubt.revoke, rule, () =>
      gateway.revoke(target, [rule]),
    );
    if (revoked.requestId) execution.requestIds.push(revoked.requestId);
    if (revoked.unknownPermissions.length > 0) {
      execution.alreadyGone.push(rule);
      execution.notAuthorized.push(...parts);
      continue;
    }
    execution.revoked.push(rule);
    if (revoked.answerLost.length > 0) execution.answerLost.push(rule);
    for (const part of parts) await reauthorize(gateway, target, part, execution, beforeMutation, sleep);
  }
  // A re-authorization that is part of no revoked rule is never made (the planner writes none).
  execution.notAuthorized.push(...pending);
}

/** One re-authorization of a rule just revoked; its failure does not stop the plan (see `executePlan`). */
async function reauthorize(
  gateway: SecurityGroupGateway,
  target: GroupTarget,
  part: IpPermission,
  execution: PlanExecution,
  beforeMutation: () => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (execution.authorizeError !== undefined) {
    execution.failedAuthorizations.push(part);
    return;
  }
  let authorized: MutationResult;
  try {
    authorized = await authorizeWithRetries(gateway, target, part, beforeMutation, sleep);
  } catch (error) {
    if (error instanceof LeaseMarginStop) throw error.cause;
    // E.g. RulesPerSecurityGroupLimitExceeded, or a member role without ec2:AuthorizeSecurityGroupIngress;
    // or throttling that outlasted the retries; after a reset or a 5xx the last try may have been made.
    if (mayHaveBeenApplied(error)) execution.inDoubt.authorize.push(part);
    execution.authorizeError = error;
    execution.authorizeRetriesExhausted = isRetryable(error);
    execution.failedAuthorizations.push(part);
    return;
  }
  if (authorized.requestId) execution.requestIds.push(authorized.requestId);
  if (authorized.unknownPermissions.length > 0) {
    execution.alreadyThere.push(part);
    return;
  }
  execution.authorized.push(part);
  if (authorized.answerLost.length > 0) execution.answerLost.push(part);
}

/**
 * Runs a mutation; a failure after which the call may still have been applied (no answer, a 5xx) leaves its
 * rule in doubt (made or not, nobody knows) and is rethrown. A throttle or a 4xx says it was not made.
 */
async function inDoubtOnRetryable(
  inDoubt: IpPermission[],
  rule: IpPermission,
  call: () => Promise<MutationResult>,
): Promise<MutationResult> {
  try {
    return await call();
  } catch (error) {
    if (mayHaveBeenApplied(error)) inDoubt.push(rule);
    throw error;
  }
}

/** `beforeMutation` refused a (further) try: it stops the attempt, as before any other EC2 change. */
class LeaseMarginStop {
  constructor(readonly cause: unknown) {}
}

/**
 * A re-authorization, tried again after a retryable error. When an earlier try failed that way and a later one
 * finds the rule already there, the earlier try made it and its answer was lost: the hub's change.
 */
async function authorizeWithRetries(
  gateway: SecurityGroupGateway,
  target: GroupTarget,
  part: IpPermission,
  beforeMutation: () => void,
  sleep: (ms: number) => Promise<void>,
): Promise<MutationResult> {
  for (let retry = 0; ; retry++) {
    try {
      beforeMutation();
    } catch (error) {
      throw new LeaseMarginStop(error);
    }
    try {
      const result = await gateway.authorize(target, [part]);
      if (retry === 0 || result.unknownPermissions.length === 0) return result;
      return {
        ...result,
        unknownPermissions: [],
        answerLost: [...result.answerLost, ...result.unknownPermissions],
      };
    } catch (error) {
      const delay = AUTHORIZE_RETRY_DELAYS_MS[retry];
      if (!isRetryable(error) || delay === undefined) throw error;
      await sleep(delay);
    }
  }
}
