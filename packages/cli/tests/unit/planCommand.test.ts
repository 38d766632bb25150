import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpPermission, SecurityGroup } from '@remediation-hub/core';
import {
  type EvidentDocument,
  makeAlert,
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  repoRoot,
  securityHubEvent,
  snsEnvelope,
} from '@remediation-hub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';

const GROUP_ID = 'sg-0123456789abcdef0';
const dir = mkdtempSync(join(tmpdir(), 'remediation-hub-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a value (or raw text) to a fresh file and returns its path. */
function file(content: unknown): string {
  const path = join(dir, `input-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const alert = (overrides: Partial<Parameters<typeof makeAlert>[0]> = {}): EvidentDocument =>
  makeAlert({
    id: '1306879672',
    accountId: '111111111111',
    region: 'eu-west-1',
    groupId: GROUP_ID,
    ...overrides,
  });

const group = (permissions: IpPermission[], tags: SecurityGroup['Tags'] = []): SecurityGroup => ({
  GroupId: GROUP_ID,
  GroupName: 'web',
  Description: 'web servers',
  OwnerId: '111111111111',
  VpcId: 'vpc-0123456789abcdef0',
  IpPermissions: permissions,
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  Tags: tags,
});

const SSH_OPEN: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8', Description: 'office' }],
  Ipv6Ranges: [{ CidrIpv6: '::/0' }],
};

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false };
  const code = await main(['plan', ...argv], io);
  return { code, stdout, stderr };
}

describe('remediation-hub plan', () => {
  it('prints the plan as JSON and exits 0', async () => {
    const result = await run(
      '--alert',
      file(alert()),
      '--security-group',
      file({ SecurityGroups: [group([SSH_OPEN])] }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('}\n')).toBe(true);
    // The README's contract: these four keys first, in this order; then the source and control.
    expect(Object.keys(JSON.parse(result.stdout))).toEqual([
      'decision',
      'revoke',
      'authorize',
      'reason',
      'source',
      'control',
    ]);
    expect(result.stdout).toBe(
      `${JSON.stringify(
        {
          decision: 'remediate',
          revoke: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          ],
          authorize: [],
          reason: 'revoke tcp 22 from 0.0.0.0/0 and ::/0 (AWS:EC2-002, SSH)',
          source: 'evident',
          control: 'AWS:EC2-002',
        },
        null,
        2,
      )}\n`,
    );
  });

  it('plans a Security Hub event and a Prisma Cloud alert, naming their source and control', async () => {
    const sg = group([SSH_OPEN]);
    const ids = { accountId: String(sg.OwnerId), region: 'us-east-1', groupId: String(sg.GroupId) };
    const event = securityHubEvent([
      makeSecurityHubFinding({ form: 'per-standard', control: 'EC2.19', ...ids }),
    ]);
    const fromSecurityHub = await run('--alert', file(event), '--security-group', file(sg));
    expect(JSON.parse(fromSecurityHub.stdout)).toMatchObject({
      decision: 'remediate',
      source: 'security-hub',
      control: 'EC2.19',
      reason: expect.stringContaining('(EC2.19, high-risk ports)'),
    });
    const prisma = makePrismaCloudAlert({ alertId: 'P-1', ...ids });
    const fromPrisma = await run('--alert', file(prisma), '--security-group', file(sg));
    expect(JSON.parse(fromPrisma.stdout)).toMatchObject({
      decision: 'remediate',
      source: 'prisma-cloud',
      control: '617b9138-584b-4e8e-ad15-7fbabafbed1a',
    });
  });

  it('reads an SNS envelope and a bare group, and narrows on request', async () => {
    const wide: IpPermission = {
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 1023,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    };
    const result = await run(
      '--alert',
      file(snsEnvelope(alert())),
      '--security-group',
      file(group([wide])),
      '--strategy',
      'narrow',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      decision: 'remediate',
      revoke: [wide],
      authorize: [
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 21, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 23, ToPort: 1023, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
      reason:
        'narrow tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH): revoke 1 rule, re-authorize the rest of the port range as 2 rules',
      source: 'evident',
      control: 'AWS:EC2-002',
    });
  });

  it.each<[string, EvidentDocument, SecurityGroup, string[], string]>([
    [
      'compliant',
      alert(),
      group([{ ...SSH_OPEN, IpRanges: [{ CidrIp: '10.0.0.0/8' }], Ipv6Ranges: [] }]),
      [],
      'compliant',
    ],
    ['exempt', alert(), group([SSH_OPEN], [{ Key: 'remediation-hub:exempt', Value: 'TRUE' }]), [], 'exempt'],
    [
      'exempt by a chosen tag key',
      alert(),
      group([SSH_OPEN], [{ Key: 'security:skip', Value: 'true' }]),
      ['--exempt-tag-key', 'security:skip'],
      'exempt',
    ],
    ['ignored', alert({ status: 'pass' }), group([SSH_OPEN]), [], 'ignored'],
    ['unsupported', alert({ signature: 'AWS:EC2-999' }), group([SSH_OPEN]), [], 'unsupported'],
  ])('exits 0 when the decision is %s', async (_case, document, securityGroup, extra, decision) => {
    const result = await run('--alert', file(document), '--security-group', file(securityGroup), ...extra);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision, revoke: [], authorize: [] });
  });

  describe('exits 2 with one line on stderr for malformed input', () => {
    const goodAlert = file(alert());
    const goodGroup = file(group([SSH_OPEN]));
    const badAccount = alert();
    for (const entry of badAccount.included)
      if (entry.type === 'external_accounts') entry.attributes.account = '12345';

    it.each<[string, () => string[], string]>([
      [
        'an alert that is not JSON',
        () => ['--alert', file('{"data":'), '--security-group', goodGroup],
        'remediation-hub: --alert .+: message is not JSON: ',
      ],
      [
        'an invalid alert',
        () => ['--alert', file(badAccount), '--security-group', goodGroup],
        'remediation-hub: --alert .+: included\\[external_accounts\\]\\.attributes\\.account: expected 12 digits, got "12345"$',
      ],
      [
        'a group file that is not JSON',
        () => ['--alert', goodAlert, '--security-group', file('nope')],
        'remediation-hub: --security-group .+: security group is not JSON: ',
      ],
      [
        'an output with two groups',
        () => ['--alert', goodAlert, '--security-group', file({ SecurityGroups: [group([]), group([])] })],
        'remediation-hub: --security-group .+: SecurityGroups: expected exactly one group, got 2$',
      ],
      [
        'another group than the alert’s',
        () => [
          '--alert',
          goodAlert,
          '--security-group',
          file({ ...group([]), GroupId: 'sg-0fedcba9876543210' }),
        ],
        `remediation-hub: --security-group .+: GroupId: the finding is about ${GROUP_ID}, the security group given is sg-0fedcba9876543210$`,
      ],
      [
        'a tcp permission without ports',
        () => [
          '--alert',
          goodAlert,
          '--security-group',
          file(group([{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }])),
        ],
        'remediation-hub: --security-group .+: IpPermissions\\[0\\]: tcp permission needs FromPort and ToPort',
      ],
      [
        'an unknown strategy',
        () => ['--alert', goodAlert, '--security-group', goodGroup, '--strategy', 'close'],
        "remediation-hub: option '--strategy <strategy>' argument 'close' is invalid\\. Allowed choices are revoke, narrow\\.$",
      ],
      [
        'a missing file',
        () => ['--alert', join(dir, 'missing.json'), '--security-group', goodGroup],
        'remediation-hub: --alert .+missing\\.json: cannot read the file \\(ENOENT\\)$',
      ],
      [
        'a missing option',
        () => ['--alert', goodAlert],
        "remediation-hub: required option '--security-group <file>' not specified$",
      ],
    ])('%s', async (_case, argv, pattern) => {
      const result = await run(...argv());
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^[^\n]+\n$/);
      expect(result.stderr.trimEnd()).toMatch(new RegExp(`^${pattern}`));
    });
  });

  describe('as the real bin', () => {
    const bin = (...argv: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'packages/cli/bin/remediation-hub.ts', 'plan', ...argv],
        {
          cwd: repoRoot(),
          encoding: 'utf8',
          timeout: 60_000,
        },
      );

    it('prints only the plan on stdout and exits 0', () => {
      const child = bin(
        '--alert',
        file(alert()),
        '--security-group',
        file({ SecurityGroups: [group([SSH_OPEN])] }),
      );
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(JSON.parse(child.stdout)).toMatchObject({ decision: 'remediate', authorize: [] });
    });

    it('prints one line on stderr and exits 2 for a malformed alert', () => {
      const child = bin('--alert', file('not json'), '--security-group', file(group([])));
      expect(child.stdout).toBe('');
      expect(child.status).toBe(2);
      expect(child.stderr).toMatch(/^remediation-hub: --alert .+: message is not JSON: [^\n]+\n$/);
    });
  });
});
