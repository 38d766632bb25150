import {
  type GroupTarget,
  type IpPermission,
  isPartOf,
  isRetryable,
  type RemediationPlan,
  type SecurityGroupGateway,
} from '@remediation-hub/core';

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
  };
}

/**
 * The plan's EC2 calls, one per rule, revocations first. A revoked rule's re-authorizations (strategy `narrow`:
 * the rest of its port range; a control's authorised ports inside it, EC2.18) follow its own revocation, and only once EC2 confirmed it: the hub re-opens only
 * what it has itself just closed, so it never adds access, even when another alert for the same group (a
 * `narrow` of another port of the same range) or a person removed the rule first. The range is cut off only
 * between a rule's revocation and its re-authorizations. A re-authorization that fails with a retryable error
 * is tried again a few times (`AUTHORIZE_RETRY_DELAYS_MS`); a terminal error, or retries exhausted, does not
 * stop the revocations (`authorizeError`). `beforeMutation` runs before each call and each further try (the
 * lease check) and may throw to stop before it.
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
    const revoked = await gateway.revoke(target, [rule]);
    if (revoked.requestId) execution.requestIds.push(revoked.requestId);
    if (revoked.unknownPermissions.length > 0) {
      execution.alreadyGone.push(rule);
      execution.notAuthorized.push(...parts);
      continue;
    }
    execution.revoked.push(rule);

    for (const part of parts) {
      if (execution.authorizeError !== undefined) {
        execution.failedAuthorizations.push(part);
        continue;
      }
      let authorized: Awaited<ReturnType<SecurityGroupGateway['authorize']>>;
      try {
        authorized = await authorizeWithRetries(gateway, target, part, beforeMutation, sleep);
      } catch (error) {
        if (error instanceof LeaseMarginStop) throw error.cause;
        // E.g. RulesPerSecurityGroupLimitExceeded, or a member role without ec2:AuthorizeSecurityGroupIngress;
        // or throttling that outlasted the retries.
        execution.authorizeError = error;
        execution.authorizeRetriesExhausted = isRetryable(error);
        execution.failedAuthorizations.push(part);
        continue;
      }
      if (authorized.requestId) execution.requestIds.push(authorized.requestId);
      if (authorized.unknownPermissions.length > 0) execution.alreadyThere.push(part);
      else execution.authorized.push(part);
    }
  }
  // A re-authorization that is part of no revoked rule is never made (the planner writes none).
  execution.notAuthorized.push(...pending);
}

/** `beforeMutation` refused a (further) try: it stops the attempt, as before any other EC2 change. */
class LeaseMarginStop {
  constructor(readonly cause: unknown) {}
}

async function authorizeWithRetries(
  gateway: SecurityGroupGateway,
  target: GroupTarget,
  part: IpPermission,
  beforeMutation: () => void,
  sleep: (ms: number) => Promise<void>,
): Promise<Awaited<ReturnType<SecurityGroupGateway['authorize']>>> {
  for (let retry = 0; ; retry++) {
    try {
      beforeMutation();
    } catch (error) {
      throw new LeaseMarginStop(error);
    }
    try {
      return await gateway.authorize(target, [part]);
    } catch (error) {
      const delay = AUTHORIZE_RETRY_DELAYS_MS[retry];
      if (!isRetryable(error) || delay === undefined) throw error;
      await sleep(delay);
    }
  }
}
