import type { IpPermission, Outcome, Source, Tag } from '@remediation-hub/core';

/** The accounts and regions the demo plays in. */
export interface DemoAccounts {
  /** Three member accounts on the hub's allow-list. */
  members: readonly [string, string, string];
  /** An account that is not on the allow-list: its alert must be rejected before any STS call. */
  outsider: string;
  /** Two regions the member groups live in. */
  regions: readonly [string, string];
}

export const DEFAULT_DEMO_ACCOUNTS: DemoAccounts = {
  members: ['111111111111', '222222222222', '333333333333'],
  outsider: '444444444444',
  regions: ['us-east-1', 'eu-west-1'],
};

/** One security group the demo creates in a member account. */
export interface DemoGroupSpec {
  key: string;
  /** Index into `members` and `regions`. */
  member: 0 | 1 | 2;
  region: 0 | 1;
  /** Suffix of the group name (the run prefixes it). */
  name: string;
  description: string;
  ingress: IpPermission[];
  tags?: Tag[];
  /** The world-open rules the group must still have after the hub ran. */
  worldOpenAfter: string[];
  /** Its other (narrower) rules, which the hub must never touch. */
  otherAfter: string[];
  /** Why what stays open stays open, where it is not obvious (shown under the group in the report). */
  note?: string;
}

/**
 * One finding the demo sends the hub, the way its source does: an Evident alert to the hub topic, a Security Hub
 * finding through EventBridge (the rule sends it to the queue), a Prisma Cloud alert straight to the queue.
 */
export interface DemoAlertSpec {
  label: string;
  /** The posture tool (default `evident`). */
  source?: Source;
  /** The group it is about (`key` of a `DemoGroupSpec`), or a group in the outsider account. */
  group: string | { outsider: true; groupId: string };
  /** The source's status word: Evident `fail`/`pass`; Security Hub `FAILED`; Prisma Cloud `open`. */
  status: 'fail' | 'pass' | 'FAILED' | 'open';
  /** The signature (Evident), control (Security Hub) or policy id (Prisma Cloud). */
  signature: string;
  signatureName: string;
  expected: Outcome;
  /** Publish the same notification as an earlier alert (same id and status): a second delivery. */
  duplicateOf?: string;
}

const world = (from: number, to: number, protocol = 'tcp', description?: string): IpPermission => ({
  IpProtocol: protocol,
  ...(protocol === '-1' ? {} : { FromPort: from, ToPort: to }),
  IpRanges: [{ CidrIp: '0.0.0.0/0', ...(description ? { Description: description } : {}) }],
});

/**
 * The demo's security groups: realistic exposures across three accounts and two regions. Each says which
 * world-open rules must remain once the hub has run (a web port stays open: only the alert's exposure
 * closes).
 */
export const DEMO_GROUPS: readonly DemoGroupSpec[] = [
  {
    key: 'ssh-world',
    member: 0,
    region: 0,
    name: 'bastion',
    description: 'bastion: SSH open to the world on IPv4 and IPv6, HTTPS for the landing page',
    ingress: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere (temporary!)' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'ssh from anywhere, v6' }],
      },
      world(443, 443, 'tcp', 'https'),
    ],
    worldOpenAfter: ['tcp 443 from 0.0.0.0/0'],
    otherAfter: [],
  },
  {
    key: 'rdp-world',
    member: 0,
    region: 1,
    name: 'windows-jump',
    description: 'windows jump host: RDP open to the world',
    ingress: [world(3389, 3389, 'tcp', 'rdp')],
    worldOpenAfter: [],
    otherAfter: [],
  },
  {
    key: 'ssh-mixed',
    member: 1,
    region: 0,
    name: 'build-agents',
    description: 'build agents: SSH from the office network and, by mistake, from the world',
    ingress: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'office' }, { CidrIp: '0.0.0.0/0' }],
      },
    ],
    worldOpenAfter: [],
    otherAfter: ['tcp 22 from 10.0.0.0/8'],
  },
  {
    key: 'all-traffic',
    member: 1,
    region: 1,
    name: 'legacy-db',
    description: 'legacy database host: all traffic from the world',
    ingress: [world(0, 0, '-1')],
    worldOpenAfter: [],
    otherAfter: [],
  },
  {
    key: 'ssh-exempt',
    member: 2,
    region: 0,
    name: 'honeypot',
    description: 'honeypot: SSH open on purpose, tagged exempt',
    ingress: [world(22, 22, 'tcp', 'honeypot ssh')],
    tags: [{ Key: 'remediation-hub:exempt', Value: 'true' }],
    worldOpenAfter: ['tcp 22 from 0.0.0.0/0'],
    otherAfter: [],
  },
  {
    key: 'ssh-private',
    member: 2,
    region: 1,
    name: 'internal-api',
    description: 'internal API: SSH from the VPC only',
    ingress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '172.16.0.0/12' }] }],
    worldOpenAfter: [],
    otherAfter: ['tcp 22 from 172.16.0.0/12'],
  },
  {
    key: 'high-risk-ports',
    member: 1,
    region: 0,
    name: 'analytics',
    description: 'analytics host: every tcp port open to the world, and HTTPS for its dashboard',
    ingress: [world(0, 65535, 'tcp', 'everything (temporary!)'), world(443, 443, 'tcp', 'dashboard')],
    worldOpenAfter: ['tcp 443 from 0.0.0.0/0'],
    otherAfter: [],
    note: "EC2.19 under the default strategy revoke closes the whole 0-65535 rule; HTTPS (not one of EC2.19's 24 ports) stays open through its own rule. Under narrow the hub would re-open 0-65535 less those 24 ports.",
  },
  {
    key: 'prisma-ssh',
    member: 2,
    region: 1,
    name: 'sftp-gateway',
    description: 'SFTP gateway: SSH and HTTP open to the world',
    ingress: [world(22, 22, 'tcp', 'sftp'), world(80, 80, 'tcp', 'http')],
    worldOpenAfter: ['tcp 80 from 0.0.0.0/0'],
    otherAfter: [],
  },
];

/** The alerts, in publishing order, with the outcome the hub must record for each. */
export const DEMO_ALERTS: readonly DemoAlertSpec[] = [
  {
    label: 'ssh-world',
    group: 'ssh-world',
    status: 'fail',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'remediated',
  },
  {
    label: 'rdp-world',
    group: 'rdp-world',
    status: 'fail',
    signature: 'AWS:EC2-004',
    signatureName: 'Global RDP',
    expected: 'remediated',
  },
  {
    label: 'ssh-mixed',
    group: 'ssh-mixed',
    status: 'fail',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'remediated',
  },
  {
    label: 'all-traffic',
    group: 'all-traffic',
    status: 'fail',
    signature: 'AWS:EC2-009',
    signatureName: 'Global MySQL',
    expected: 'remediated',
  },
  {
    label: 'ssh-exempt',
    group: 'ssh-exempt',
    status: 'fail',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'exempt',
  },
  {
    label: 'pass',
    group: 'ssh-private',
    status: 'pass',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'ignored',
  },
  {
    label: 'not-allowed',
    group: { outsider: true, groupId: 'sg-0badacc0000000001' },
    status: 'fail',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'rejected',
  },
  {
    label: 'high-risk-ports',
    source: 'security-hub',
    group: 'high-risk-ports',
    status: 'FAILED',
    signature: 'EC2.19',
    signatureName: 'Security groups should not allow unrestricted access to ports with high risk',
    expected: 'remediated',
  },
  {
    label: 'prisma-ssh',
    source: 'prisma-cloud',
    group: 'prisma-ssh',
    status: 'open',
    signature: '617b9138-584b-4e8e-ad15-7fbabafbed1a',
    signatureName: 'AWS Security Group allows all traffic on SSH port (22)',
    expected: 'remediated',
  },
  {
    label: 'duplicate',
    group: 'ssh-world',
    status: 'fail',
    signature: 'AWS:EC2-002',
    signatureName: 'Global SSH',
    expected: 'duplicate',
    duplicateOf: 'ssh-world',
  },
];
