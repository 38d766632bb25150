import type { Decision, Strategy } from './constants.js';
import type { Explanation } from './reasons.js';
import type { IpPermission } from './types.js';

export interface PlanOptions {
  strategy: Strategy;
  /**
   * A group whose tag with this key is `true`, or a date (`2027-03-31`) whose day has not ended (UTC), is left
   * alone (`findExemption`).
   */
  exemptTagKey: string;
  /** The time the plan is made at: whether a dated exemption still holds. */
  now: Date;
}

/**
 * The planner's answer. Each entry of `revoke` and `authorize` is an EC2 `IpPermission` with exactly one
 * CIDR (in `IpRanges` or `Ipv6Ranges`) and the permission's own protocol and ports.
 */
export interface RemediationPlan {
  decision: Decision;
  revoke: IpPermission[];
  authorize: IpPermission[];
  /** Why, as data (codes and fields). */
  explanation: Explanation;
  /** Why, in English: `renderExplanation(explanation)`. */
  reason: string;
}
