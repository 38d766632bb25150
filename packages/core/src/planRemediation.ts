import { type CidrRule, ruleKey, toIpPermission, uniqueRules } from './cidrRule.js';
import { type Decision, type Strategy, WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { type ControlDefinition, findControl, type WorldFamily } from './controls.js';
import { MalformedSecurityGroupError } from './errors.js';
import { findExemption } from './exemption.js';
import { type ExposureTargets, exposureTargets, opensTarget } from './exposureTargets.js';
import type { Finding } from './finding.js';
import type { PlanOptions, RemediationPlan } from './plan.js';
import { intersectRanges, type PortRange, subtractRanges } from './portRanges.js';
import { type Note, type Reason, renderExplanation } from './reasons.js';
import type { SecurityGroup } from './types.js';
import { worldExposures } from './worldExposures.js';

/**
 * Decides exactly which rules to revoke (and re-authorize) for one finding, given the live group. Pure. Only
 * world CIDRs (`0.0.0.0/0`, `::/0`) of the control's families are touched; each entry names one CIDR with the
 * permission's own protocol and ports, because EC2 revokes exact matches only.
 *
 * The decision is the first that applies, in this order:
 * 1. `ignored`: the source says the exposure is not there (`finding.inactive`: status `pass`, a test message...).
 * 2. `unsupported`: the control is not in the registry (by source and id), so the hub cannot know what to close.
 * 3. `exempt`: the group carries the exemption tag, `true` or a date whose day (UTC) has not ended at
 *    `options.now` (`findExemption`). Checked before the permissions are read, so an exempt group is never
 *    judged. An expired exemption, or a tag value that is none, is a note on whatever else is decided.
 * 4. `remediate` when a world CIDR opens one of the control's targets, `compliant` otherwise.
 *
 * Strategy `revoke` revokes each such rule whole; `narrow` also re-authorizes the rest of each revoked tcp/udp
 * range, minus every target port (protocol -1 and ICMP "all types" stay revoked whole, and a note says so). A
 * control with authorised ports (EC2.18) never closes one, whatever the strategy: a revoked rule that opened
 * authorised ports (a range around them, or protocol -1) is re-authorized for exactly those, same CIDR.
 *
 * A group other than the finding's, or a permission the planner cannot read (tcp without ports), is a
 * `MalformedSecurityGroupError`, never a silent `compliant`.
 */
export function planRemediation(
  finding: Pick<Finding, 'source' | 'id' | 'accountId' | 'region' | 'groupId' | 'inactive' | 'control'>,
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
  const definition = findControl(finding.source, finding.control.id) as ControlDefinition;
  const targets = exposureTargets(definition, finding.control.parameters);
  const exposure = targets.label;
  const control = { id: definition.id, service: definition.service };
  // Named on the reasons only when the control is about one world CIDR (EC2.53, EC2.54).
  const only = targets.families.length === 1 ? { worldCidrs: targets.families.map(cidrOf) } : {};

  const exemption = findExemption(group, options);
  if (exemption?.kind === 'exempt') {
    return decide('exempt', {
      code: 'exempt',
      groupId,
      tag: exemption.tag,
      value: exemption.value,
      ...(exemption.until === undefined ? {} : { until: exemption.until }),
      exposure,
      control,
      ...only,
    });
  }
  // An exemption that expired, or a tag value that is none, is said on the record whatever it decides.
  const exemptionNotes: Note[] =
    exemption === undefined
      ? []
      : exemption.kind === 'expired'
        ? [{ code: 'exemption-expired', tag: exemption.tag, until: exemption.until }]
        : [{ code: 'exemption-not-understood', tag: exemption.tag, value: exemption.value }];

  const world = worldExposures(group.IpPermissions, groupId);
  const open = world.filter((rule) => targets.families.includes(rule.family) && opensTarget(rule, targets));
  if (open.length === 0) {
    return decide('compliant', { code: 'compliant', groupId, exposure, control, ...only }, exemptionNotes);
  }

  const revoke = uniqueRules(open);
  const cidrs = [WORLD_IPV4, WORLD_IPV6].filter((cidr) => revoke.some((rule) => rule.cidr === cidr));
  if (options.strategy === 'revoke' && targets.authorized === undefined) {
    return plan(revoke, [], { code: 'revoke', exposure, cidrs, control }, exemptionNotes);
  }

  const { authorize, notes } = reopen(revoke, targets, world, options.strategy);
  const reason: Reason =
    options.strategy === 'revoke'
      ? { code: 'revoke', exposure, cidrs, control }
      : { code: 'narrow', exposure, cidrs, control, revoke: revoke.length, authorize: authorize.length };
  return plan(revoke, authorize, reason, [...exemptionNotes, ...notes]);
}

const cidrOf = (family: WorldFamily): string => (family === 'ipv4' ? WORLD_IPV4 : WORLD_IPV6);

/**
 * The decisions that need no security group: `ignored` (the source says the exposure is not there) and
 * `unsupported` (the registry does not know the control); `undefined` when the group must be read. The hub
 * asks this before it assumes a role or describes anything.
 */
export function decideWithoutTheGroup(
  finding: Pick<Finding, 'source' | 'inactive' | 'control'>,
): RemediationPlan | undefined {
  if (finding.inactive !== undefined) {
    return decide('ignored', { code: 'not-actionable', ...finding.inactive });
  }
  if (findControl(finding.source, finding.control.id) === undefined) {
    return decide('unsupported', {
      code: 'unsupported-control',
      control: finding.control.id,
      name: finding.control.name,
    });
  }
  return undefined;
}

/**
 * What to re-authorize for the same CIDRs once `revoke` is revoked:
 * - `narrow`: each revoked tcp/udp rule without the target ports (22 in 0-65535 → 0-21 and 23-65535; EC2.19's
 *   24 ports leave many pieces). Protocol `-1` and icmp "all types" cannot be narrowed to anything meaningful:
 *   they stay revoked whole, and a note says so.
 * - authorised ports (EC2.18), whatever the strategy: the authorised ports inside each revoked tcp/udp range,
 *   and every authorised tcp and udp port of a revoked protocol `-1` rule, so that none closes.
 * Rules the group already has (and keeps) are not authorized again, as EC2 would refuse a duplicate.
 */
function reopen(
  revoke: readonly CidrRule[],
  targets: ExposureTargets,
  world: readonly CidrRule[],
  strategy: Strategy,
): { authorize: CidrRule[]; notes: Note[] } {
  const narrowing = strategy === 'narrow';
  const { authorized } = targets;
  const authorize: CidrRule[] = [];
  let allTraffic = false;
  let allIcmpTypes = false;
  for (const rule of revoke) {
    if (rule.protocol === 'all') {
      allTraffic ||= narrowing;
      if (authorized !== undefined) {
        for (const protocol of ['tcp', 'udp'] as const) {
          for (const ports of authorized[protocol]) authorize.push(portsOf(rule, protocol, ports));
        }
      }
    } else if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
      // opensTarget matched, and readPermission checked that a tcp/udp rule has both ports.
      const range = { from: rule.fromPort as number, to: rule.toPort as number };
      const rest = narrowing
        ? subtractRanges(range, targets[rule.protocol])
        : intersectRanges(range, authorized?.[rule.protocol] ?? []);
      for (const part of rest) authorize.push({ ...rule, fromPort: part.from, toPort: part.to });
    } else if (narrowing && rule.fromPort === -1) {
      allIcmpTypes = true;
    }
  }

  const revoked = new Set(revoke.map(ruleKey));
  const kept = new Set(world.map(ruleKey).filter((key) => !revoked.has(key)));
  const rules = uniqueRules(authorize).filter((rule) => !kept.has(ruleKey(rule)));
  const notes: Note[] = [
    ...(allTraffic ? [{ code: 'all-traffic-revoked-whole' } as const] : []),
    ...(allIcmpTypes ? [{ code: 'all-icmp-types-revoked-whole' } as const] : []),
    ...(authorized !== undefined && rules.length > 0
      ? [{ code: 'authorized-ports-kept', ports: targets.authorizedLabel, rules: rules.length } as const]
      : []),
  ];
  return { authorize: rules, notes };
}

/** Authorised ports of a revoked protocol -1 rule, as a rule of their own protocol for the same CIDR. */
function portsOf(rule: CidrRule, protocol: 'tcp' | 'udp', ports: PortRange): CidrRule {
  return { ...rule, ipProtocol: protocol, protocol, fromPort: ports.from, toPort: ports.to };
}

function decide(
  decision: Exclude<Decision, 'remediate'>,
  reason: Reason,
  notes: readonly Note[] = [],
): RemediationPlan {
  const explanation = { reason, notes };
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
