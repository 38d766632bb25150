import type {
  ControlParameters,
  Finding,
  IpPermission,
  PlanOptions,
  SecurityGroup,
  Source,
  Tag,
} from '../../src/index.js';

export const GROUP_ID = 'sg-0a1b2c3d4e5f60718';

/** A parsed Evident finding about `GROUP_ID`, for signature AWS:EC2-002 unless told otherwise. */
export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    source: 'evident',
    id: '1306879672',
    eventKey: 'fail',
    status: 'fail',
    inactive: undefined,
    accountId: '111111111111',
    accountClaims: [{ field: 'included[external_accounts].attributes.arn', accountId: '111111111111' }],
    region: 'ap-northeast-1',
    groupId: GROUP_ID,
    control: { id: 'AWS:EC2-002', name: 'Global Admin Port Access - SSH (TCP Port 22) Detected' },
    riskLevel: 'high',
    firstSeenAt: '2018-11-05T03:57:05.000Z',
    ...overrides,
  };
}

export function makeGroup(permissions: IpPermission[], tags: Tag[] = []): SecurityGroup {
  return {
    GroupId: GROUP_ID,
    GroupName: 'web',
    Description: 'web servers',
    OwnerId: '111111111111',
    VpcId: 'vpc-0123456789abcdef0',
    IpPermissions: permissions,
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    Tags: tags,
  };
}

/** A permission with ports (tcp, udp, icmp type/code) and the given CIDRs, v4 or v6 by their shape. */
export function permission(
  protocol: string,
  fromPort: number | undefined,
  toPort: number | undefined,
  ...cidrs: string[]
): IpPermission {
  const p: IpPermission = { IpProtocol: protocol };
  if (fromPort !== undefined) p.FromPort = fromPort;
  if (toPort !== undefined) p.ToPort = toPort;
  const v4 = cidrs.filter((cidr) => !cidr.includes(':'));
  const v6 = cidrs.filter((cidr) => cidr.includes(':'));
  if (v4.length > 0) p.IpRanges = v4.map((CidrIp) => ({ CidrIp }));
  if (v6.length > 0) p.Ipv6Ranges = v6.map((CidrIpv6) => ({ CidrIpv6 }));
  return p;
}

export const tcp = (from: number, to: number, ...cidrs: string[]): IpPermission =>
  permission('tcp', from, to, ...cidrs);
export const udp = (from: number, to: number, ...cidrs: string[]): IpPermission =>
  permission('udp', from, to, ...cidrs);
export const allTraffic = (...cidrs: string[]): IpPermission =>
  permission('-1', undefined, undefined, ...cidrs);

/** The time plans are made at in tests: dated exemptions are judged against it. */
export const PLAN_TIME = new Date('2027-03-31T12:00:00.000Z');
export const REVOKE: PlanOptions = {
  strategy: 'revoke',
  exemptTagKey: 'remediation-hub:exempt',
  now: PLAN_TIME,
};
export const NARROW: PlanOptions = {
  strategy: 'narrow',
  exemptTagKey: 'remediation-hub:exempt',
  now: PLAN_TIME,
};

/** The finding for a signature identifier. */
export const findingFor = (identifier: string, name = identifier): Finding =>
  makeFinding({ control: { id: identifier, name } });

/** A finding of another source's control (a Security Hub control id, a Prisma Cloud policy id) about `GROUP_ID`. */
export function controlFinding(source: Source, id: string, parameters?: ControlParameters): Finding {
  const control = parameters === undefined ? { id, name: id } : { id, name: id, parameters };
  return makeFinding({ source, control });
}
