import { type CidrRule, ruleKey, toIpPermission, uniqueRules } from './cidrRule.js';
import { type Decision, WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { MalformedSecurityGroupError } from './errors.js';
import { exposes, exposureLabel } from './exposure.js';
import type { Finding } from './finding.js';
import type { PlanOptions, RemediationPlan } from './plan.js';
import { type Note, type Reason, renderExplanation } from './reasons.js';
import { findSignature, type SignatureDefinition } from './signatures.js';
import type { SecurityGroup } from './types.js';
import { worldExposures } from './worldExposures.js';

/**
 * Decides exactly which rules to revoke (and, with `narrow`, re-authorize) for one finding, given the
 * live group. Pure. Only world CIDRs (`0.0.0.0/0`, `::/0`) are touched; each entry names one CIDR with
 * the permission's own protocol and ports, because EC2 revokes exact matches only.
 *
 * The decision is the first that applies, in this order:
 * 1. `ignored`: the source says the exposure is not there (`finding.inactive`: status `pass`, ...).
 * 2. `unsupported`: the control or signature is not in the registry, so the hub cannot know what to close.
 * 3. `exempt`: the group's tag `options.exemptTagKey` is `true` (any case). Checked before the
 *    permissions are read, so an exempt group is never judged.
 * 4. `remediate` when a world CIDR opens the signature's exposure, `compliant` otherwise.
 *
 * A group other than the finding's, or a permission the planner cannot read (tcp without ports), is a
 * `MalformedSecurityGroupError`, never a silent `compliant`.
 */
export function planRemediation(
  finding: Pick<Finding, 'id' | 'accountId' | 'region' | 'groupId' | 'inactive' | 'control'>,
  group: SecurityGroup,
  options: PlanOptions,
): RemediationPlan {
  const { groupId } = finding;
  if (group.GroupId !== groupId) {
    throw new MalformedSecurityGroupError(
      `GroupId: the finding is about ${groupId}, the security group given is ${group.GroupId ?? 'without a GroupId'}`,
      { groupId, alertId: finding.id, accountId: finding.accountId, region: finding.region },
    );
  }

  const early = decideWithoutTheGroup(finding);
  if (early !== undefined) return early;
  const signature = findSignature(finding.control.id) as SignatureDefinition;
  const exposure = exposureLabel(signature.exposure);
  const control = { id: signature.identifier, service: signature.service };

  const exemption = group.Tags?.find(
    (tag) => tag.Key === options.exemptTagKey && tag.Value?.toLowerCase() === 'true',
  );
  if (exemption !== undefined) {
    return decide('exempt', {
      code: 'exempt',
      groupId,
      tag: exemption.Key ?? options.exemptTagKey,
      value: exemption.Value ?? '',
      exposure,
      control,
    });
  }

  const world = worldExposures(group.IpPermissions, groupId);
  const open = world.filter((rule) => exposes(rule, signature.exposure));
  if (open.length === 0) {
    return decide('compliant', { code: 'compliant', groupId, exposure, control });
  }

  const revoke = uniqueRules(open);
  const cidrs = [WORLD_IPV4, WORLD_IPV6].filter((cidr) => revoke.some((rule) => rule.cidr === cidr));
  if (options.strategy === 'revoke') {
    return plan(revoke, [], { code: 'revoke', exposure, cidrs, control }, []);
  }

  const { authorize, notes } = narrow(revoke, signature, world);
  return plan(
    revoke,
    authorize,
    { code: 'narrow', exposure, cidrs, control, revoke: revoke.length, authorize: authorize.length },
    notes,
  );
}

/**
 * The decisions that need no security group: `ignored` (the source says the exposure is not there) and
 * `unsupported` (the registry does not know the control); `undefined` when the group must be read. The hub
 * asks this before it assumes a role or describes anything.
 */
export function decideWithoutTheGroup(
  finding: Pick<Finding, 'inactive' | 'control'>,
): RemediationPlan | undefined {
  if (finding.inactive !== undefined) {
    return decide('ignored', { code: 'not-actionable', ...finding.inactive });
  }
  if (findSignature(finding.control.id) === undefined) {
    return decide('unsupported', {
      code: 'unsupported-control',
      control: finding.control.id,
      name: finding.control.name,
    });
  }
  return undefined;
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
): { authorize: CidrRule[]; notes: Note[] } {
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
  const notes: Note[] = [
    ...(allTraffic ? [{ code: 'all-traffic-revoked-whole' } as const] : []),
    ...(allIcmpTypes ? [{ code: 'all-icmp-types-revoked-whole' } as const] : []),
  ];
  return { authorize: uniqueRules(authorize).filter((rule) => !kept.has(ruleKey(rule))), notes };
}

function decide(decision: Exclude<Decision, 'remediate'>, reason: Reason): RemediationPlan {
  const explanation = { reason, notes: [] };
  return { decision, revoke: [], authorize: [], explanation, reason: renderExplanation(explanation) };
}

function plan(
  revoke: readonly CidrRule[],
  authorize: readonly CidrRule[],
  reason: Reason,
  notes: readonly Note[],
): RemediationPlan {
  const explanation = { reason, notes };
  return {
    decision: 'remediate',
    revoke: revoke.map((rule) => toIpPermission(rule, false)),
    authorize: authorize.map((rule) => toIpPermission(rule, true)),
    explanation,
    reason: renderExplanation(explanation),
  };
}
