import type { Alert } from './alert.js';
import { type CidrRule, ruleKey, toIpPermission, uniqueRules } from './cidrRule.js';
import { ACTIONABLE_STATUSES, type Decision, WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { MalformedSecurityGroupError } from './errors.js';
import { exposes, exposureLabel } from './exposure.js';
import type { PlanOptions, RemediationPlan } from './plan.js';
import { findSignature, type SignatureDefinition } from './signatures.js';
import type { SecurityGroup } from './types.js';
import { worldExposures } from './worldExposures.js';

/**
 * Decides exactly which rules to revoke (and, with `narrow`, re-authorize) for one alert, given the
 * live group. Pure. Only world CIDRs (`0.0.0.0/0`, `::/0`) are touched; each entry names one CIDR with
 * the permission's own protocol and ports, because EC2 revokes exact matches only.
 *
 * The decision is the first that applies, in this order:
 * 1. `ignored`: the status is not `fail`/`warn`, so the alert does not claim an exposure.
 * 2. `unsupported`: the signature is not in the registry, so the hub cannot know what to close.
 * 3. `exempt`: the group's tag `options.exemptTagKey` is `true` (any case). Checked before the
 *    permissions are read, so an exempt group is never judged.
 * 4. `remediate` when a world CIDR opens the signature's exposure, `compliant` otherwise.
 *
 * A group other than the alert's, or a permission the planner cannot read (tcp without ports), is a
 * `MalformedSecurityGroupError`, never a silent `compliant`.
 */
export function planRemediation(alert: Alert, group: SecurityGroup, options: PlanOptions): RemediationPlan {
  const groupId = alert.securityGroupId;
  if (group.GroupId !== groupId) {
    throw new MalformedSecurityGroupError(
      `GroupId: the alert is about ${groupId}, the security group given is ${group.GroupId ?? 'without a GroupId'}`,
      { groupId, alertId: alert.id, accountId: alert.accountId, region: alert.region },
    );
  }

  if (!ACTIONABLE_STATUSES.includes(alert.status)) {
    return decide('ignored', `alert status is ${alert.status}; only fail and warn are remediated`);
  }

  const { identifier, name } = alert.signature;
  const signature = findSignature(identifier);
  if (signature === undefined) {
    return decide('unsupported', `signature ${identifier} (${name}) is not one the hub remediates`);
  }
  const label = exposureLabel(signature.exposure);
  const about = `(${identifier}, ${signature.service})`;

  const exemption = group.Tags?.find(
    (tag) => tag.Key === options.exemptTagKey && tag.Value?.toLowerCase() === 'true',
  );
  if (exemption !== undefined) {
    return decide(
      'exempt',
      `${groupId} is tagged ${exemption.Key}=${exemption.Value}; ${label} left open ${about}`,
    );
  }

  const world = worldExposures(group.IpPermissions, groupId);
  const open = world.filter((rule) => exposes(rule, signature.exposure));
  if (open.length === 0) {
    return decide('compliant', `no world-open ${label} in ${groupId} ${about}`);
  }

  const revoke = uniqueRules(open);
  const cidrs = [WORLD_IPV4, WORLD_IPV6]
    .filter((cidr) => revoke.some((rule) => rule.cidr === cidr))
    .join(' and ');
  if (options.strategy === 'revoke') {
    return plan(revoke, [], `revoke ${label} from ${cidrs} ${about}`);
  }

  const { authorize, notes } = narrow(revoke, signature, world);
  const rest =
    authorize.length === 0
      ? ''
      : `, re-authorize the rest of the port range as ${count(authorize.length, 'rule')}`;
  return plan(
    revoke,
    authorize,
    `narrow ${label} from ${cidrs} ${about}: revoke ${count(revoke.length, 'rule')}${rest}${notes}`,
  );
}

/**
 * `narrow`: each revoked tcp/udp rule is re-authorized for the same CIDR without the signature's port
 * (22 in 0-65535 → 0-21 and 23-65535). Protocol `-1` and icmp "all types" cannot be narrowed to
 * anything meaningful: they stay revoked whole, and the reason says so. Rules the group already has
 * (and keeps) are not authorized again, as EC2 would refuse a duplicate.
 */
function narrow(
  revoke: readonly CidrRule[],
  signature: SignatureDefinition,
  world: readonly CidrRule[],
): { authorize: CidrRule[]; notes: string } {
  const { exposure } = signature;
  const authorize: CidrRule[] = [];
  let allTraffic = false;
  let allIcmpTypes = false;
  for (const rule of revoke) {
    if (rule.protocol === 'all') {
      allTraffic = true;
    } else if (exposure.kind === 'port') {
      // exposes() matched, so the rule has both ports and FromPort <= port <= ToPort.
      const from = rule.fromPort as number;
      const to = rule.toPort as number;
      if (from < exposure.port) authorize.push({ ...rule, fromPort: from, toPort: exposure.port - 1 });
      if (exposure.port < to) authorize.push({ ...rule, fromPort: exposure.port + 1, toPort: to });
    } else if (rule.fromPort === -1) {
      allIcmpTypes = true;
    }
  }

  const revoked = new Set(revoke.map(ruleKey));
  const kept = new Set(world.map(ruleKey).filter((key) => !revoked.has(key)));
  const notes =
    (allTraffic ? '; protocol -1 (all traffic) cannot be narrowed, so it is revoked whole' : '') +
    (allIcmpTypes ? '; ICMP type -1 (all types) cannot be narrowed, so it is revoked whole' : '');
  return { authorize: uniqueRules(authorize).filter((rule) => !kept.has(ruleKey(rule))), notes };
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function decide(decision: Exclude<Decision, 'remediate'>, reason: string): RemediationPlan {
  return { decision, revoke: [], authorize: [], reason };
}

function plan(revoke: readonly CidrRule[], authorize: readonly CidrRule[], reason: string): RemediationPlan {
  return {
    decision: 'remediate',
    revoke: revoke.map((rule) => toIpPermission(rule, false)),
    authorize: authorize.map((rule) => toIpPermission(rule, true)),
    reason,
  };
}
