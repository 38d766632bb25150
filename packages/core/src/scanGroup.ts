import { applyPlan } from './applyPlan.js';
import { toIpPermission } from './cidrRule.js';
import { WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { CONTROLS, type ControlDefinition } from './controls.js';
import { type Exemption, findExemption } from './exemption.js';
import type { PlanOptions, RemediationPlan } from './plan.js';
import { planRemediation } from './planRemediation.js';
import type { IpPermission, SecurityGroup } from './types.js';
import { worldExposures } from './worldExposures.js';

export interface ScanOptions extends PlanOptions {
  /** The controls to plan against, in this order (default: every control of the registry, `CONTROLS`). */
  controls?: readonly ControlDefinition[] | undefined;
}

/** One control the group fails: what the hub would do for a finding of it. */
export interface ScanExposure {
  /** The registry row (its own source: `evident`, `security-hub`, `prisma-cloud`). */
  control: ControlDefinition;
  /** The planner's answer (`remediate`) for that control, from the group as the controls before it left it. */
  plan: RemediationPlan;
}

/** One security group, planned against every control. */
export interface GroupScan {
  groupId: string;
  groupName: string | undefined;
  /** What the exemption tag says (`undefined`: no tag). */
  exemption: Exemption | undefined;
  /** What the hub would revoke, control after control (empty for an exempt group). */
  exposures: ScanExposure[];
  /** For a group exempt now: what the hub would revoke without the exemption, and leaves open because of it. */
  exempted: ScanExposure[];
  /** World-open rules that no control closes (tcp 443 without EC2.18, EC2.18's authorised ports, ...). */
  uncovered: IpPermission[];
  /** Sources narrower than the world (private CIDRs, other groups, prefix lists): never touched. */
  notWorld: IpPermission[];
}

/**
 * What the hub would do to a group if every control of the registry raised a finding about it: `remediation-hub
 * scan`. Pure. Each control is planned with `planRemediation` (the hub's own planner, exemption included) from
 * the group as the controls before it left it, as the hub serializes the findings of one group: so a rule that
 * SSH's control revokes is not revoked again for EC2.19, and under `narrow` each control closes its own ports
 * of a range. A group whose permissions the planner cannot read throws `MalformedSecurityGroupError`.
 */
export function scanGroup(group: SecurityGroup, options: ScanOptions): GroupScan {
  const controls = options.controls ?? CONTROLS;
  const groupId = group.GroupId ?? '';
  const exemption = findExemption(group, options);
  const exempt = exemption?.kind === 'exempt';
  // An exempt group is planned without its tag: what the exemption leaves open is worth showing.
  const planned = exempt
    ? { ...group, Tags: group.Tags?.filter((tag) => tag.Key !== options.exemptTagKey) }
    : group;

  const found: ScanExposure[] = [];
  let current = planned;
  for (const control of controls) {
    const finding = {
      source: control.source,
      id: `scan:${groupId}`,
      accountId: group.OwnerId ?? '',
      region: '',
      groupId,
      inactive: undefined,
      control: { id: control.id, name: control.service },
    };
    const plan = planRemediation(finding, current, options);
    if (plan.decision !== 'remediate') continue;
    found.push({ control, plan });
    current = applyPlan(current, plan);
  }

  return {
    groupId,
    groupName: group.GroupName,
    exemption,
    exposures: exempt ? [] : found,
    exempted: exempt ? found : [],
    uncovered: worldExposures(current.IpPermissions, groupId).map((rule) => toIpPermission(rule, true)),
    notWorld: (group.IpPermissions ?? []).flatMap(narrowerSources),
  };
}

/** The permission with its world CIDRs taken out; nothing when it has no other source. */
function narrowerSources(permission: IpPermission): IpPermission[] {
  const ipRanges = (permission.IpRanges ?? []).filter((range) => range.CidrIp !== WORLD_IPV4);
  const ipv6Ranges = (permission.Ipv6Ranges ?? []).filter((range) => range.CidrIpv6 !== WORLD_IPV6);
  const prefixLists = permission.PrefixListIds ?? [];
  const groups = permission.UserIdGroupPairs ?? [];
  if (ipRanges.length + ipv6Ranges.length + prefixLists.length + groups.length === 0) return [];
  const narrowed: IpPermission = { IpProtocol: permission.IpProtocol };
  if (permission.FromPort !== undefined) narrowed.FromPort = permission.FromPort;
  if (permission.ToPort !== undefined) narrowed.ToPort = permission.ToPort;
  if (ipRanges.length > 0) narrowed.IpRanges = ipRanges;
  if (ipv6Ranges.length > 0) narrowed.Ipv6Ranges = ipv6Ranges;
  if (prefixLists.length > 0) narrowed.PrefixListIds = prefixLists;
  if (groups.length > 0) narrowed.UserIdGroupPairs = groups;
  return [narrowed];
}
