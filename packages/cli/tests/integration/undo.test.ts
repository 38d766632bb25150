import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  LeaseContentionError,
  type Ledger,
  type LedgerRecord,
  loadConfig,
  OperationRefusedError,
  undoEventKey,
} from '@remediation-hub/core';
import {
  type CompositionRoot,
  createCompositionRoot,
  createLogger,
  DynamoDbRevertRecorder,
} from '@remediation-hub/hub-handler';
import {
  assumeAccount,
  awsClientConfig,
  ec2Error,
  emulatorEndpoint,
  hubCredentials,
  type LocalUpResult,
  localUp,
  makeAlert,
  type RecordingProxy,
  startRecordingProxy,
  syntheticSqsRecord,
} from '@remediation-hub/testkit';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import { UndoFailedError } from '../../src/operations/UndoFailedError.js';
import { type UndoDependencies, undoRemediation } from '../../src/operations/undoRemediation.js';

// Accounts of this file only: the emulator is shared with every other test of the run.
const MEMBER = '555555557701';
const REGION = 'eu-west-1';

const SSH_WORLD: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [
    { CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' },
    { CidrIp: '10.0.0.0/8', Description: 'office' },
  ],
  Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'ssh from anywhere, v6' }],
};
const HTTPS_WORLD: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 443,
  ToPort: 443,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};
const ALL_PORTS_WORLD: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 0,
  ToPort: 65535,
  IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everything, by mistake' }],
};

/** Ingress as sorted `protocol from-to source description` lines: equal sets of rules compare equal. */
function rules(permissions: readonly IpPermission[] | undefined): string[] {
  const out: string[] = [];
  for (const p of permissions ?? []) {
    const ports = `${p.IpProtocol} ${p.FromPort ?? ''}-${p.ToPort ?? ''}`;
    for (const r of p.IpRanges ?? []) out.push(`${ports} ${r.CidrIp} ${r.Description ?? ''}`.trim());
    for (const r of p.Ipv6Ranges ?? []) out.push(`${ports} ${r.CidrIpv6} ${r.Description ?? ''}`.trim());
  }
  return out.sort();
}

describe('undo', () => {
  const prefix = `undotest-${randomBytes(3).toString('hex')}-`;
  let up: LocalUpResult;
  let ec2: EC2Client;
  const roots: CompositionRoot[] = [];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    up = await localUp({
      accounts: [MEMBER],
      endpoint: emulatorEndpoint(),
      prefix,
      credentials: hubCredentials,
    });
    // The CLI reads the hub's configuration from the environment, as an operator's shell would have it.
    Object.assign(process.env, up.env);
    ec2 = new EC2Client(awsClientConfig({ region: REGION, credentials: await assumeAccount(MEMBER) }));
  }, 60_000);
  afterAll(() => {
    for (const key of Object.keys(up.env)) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    for (const root of roots) root.destroy();
    ec2.destroy();
  });

  async function createGroup(ingress: IpPermission[], tags: Record<string, string> = {}): Promise<string> {
    const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `${prefix}${randomBytes(3).toString('hex')}`,
        Description: 'undo test group',
        ...(tagList.length > 0
          ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList }] }
          : {}),
      }),
    );
    if (!GroupId) throw new Error('no GroupId');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: ingress }));
    return GroupId;
  }

  async function ingress(groupId: string): Promise<IpPermission[]> {
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    return SecurityGroups?.[0]?.IpPermissions ?? [];
  }

  /** One alert through the real hub path (the Lambda's batch processor), as SQS would deliver it. */
  async function remediate(
    groupId: string,
    options: { strategy?: 'revoke' | 'narrow'; signature?: string; endpoint?: string } = {},
  ) {
    const root = createCompositionRoot({
      config: loadConfig({ ...up.env, STRATEGY: options.strategy ?? 'revoke' }),
      credentials: hubCredentials,
      logger: createLogger({ level: 'silent', destination: 'stderr' }),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    roots.push(root);
    const alertId = `${Date.now()}${randomBytes(2).readUInt16BE()}`;
    const body = JSON.stringify(
      makeAlert({
        id: alertId,
        accountId: MEMBER,
        region: REGION,
        groupId,
        signature: options.signature ?? 'AWS:EC2-002',
      }),
    );
    const event: SQSEvent = {
      Records: [
        syntheticSqsRecord({
          messageId: `m-${alertId}`,
          body,
          senderId: 'test',
          eventSourceARN: up.queue.arn,
          awsRegion: up.region,
        }),
      ],
    };
    const { results } = await root.processBatch(event, 'undo-test');
    return { alertId, outcome: results[0]?.outcome, ledger: root.ledger };
  }

  /**
   * A remediation whose `nth` RevokeSecurityGroupIngress the member role refuses (UnauthorizedOperation,
   * terminal): the hub records it as `failed`, with whatever it revoked before. EC2 goes through a proxy
   * that is closed afterwards, so the returned ledger is one that talks to the emulator directly.
   */
  async function remediateRefusingRevoke(groupId: string, nth: number) {
    const proxy = await startRecordingProxy();
    let revokes = 0;
    proxy.failNext((request) => request.action === 'RevokeSecurityGroupIngress' && ++revokes === nth, {
      status: 403,
      body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
    });
    try {
      const { alertId, outcome } = await remediate(groupId, { endpoint: proxy.endpoint });
      return { alertId, outcome, ledger: readerRoot().ledger };
    } finally {
      await proxy.close();
    }
  }

  function readerRoot(): CompositionRoot {
    const root = createCompositionRoot({
      config: loadConfig(up.env),
      credentials: hubCredentials,
      logger: createLogger({ level: 'silent', destination: 'stderr' }),
    });
    roots.push(root);
    return root;
  }

  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false };
    const code = await main(argv, io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  describe('of a revoke remediation', () => {
    let groupId: string;
    let before: IpPermission[];
    let alertId: string;
    let proxy: RecordingProxy;
    let undoRun: Awaited<ReturnType<typeof cli>>;
    let records: LedgerRecord[];

    beforeAll(async () => {
      groupId = await createGroup([SSH_WORLD, HTTPS_WORLD]);
      before = await ingress(groupId);
      const remediation = await remediate(groupId);
      expect(remediation.outcome).toBe('remediated');
      alertId = remediation.alertId;
      expect(rules(await ingress(groupId))).not.toEqual(rules(before));

      // The undo's AWS traffic goes through a recording proxy, to see its AssumeRole.
      proxy = await startRecordingProxy();
      process.env.AWS_ENDPOINT_URL = proxy.endpoint;
      try {
        undoRun = await cli('undo', alertId);
      } finally {
        process.env.AWS_ENDPOINT_URL = up.env.AWS_ENDPOINT_URL;
        await proxy.close();
      }
      records = await remediation.ledger.listByAlert(alertId);
    }, 60_000);

    it('restores the group to exactly its ingress before the remediation, rule descriptions included', async () => {
      expect(undoRun.stderr).toBe('');
      expect(undoRun.code).toBe(0);
      expect(rules(await ingress(groupId))).toEqual(rules(before));
    });

    it('re-authorizes what was revoked, and says so', () => {
      expect(undoRun.stdout).toContain(`undid ${alertId} (fail, remediated `);
      expect(undoRun.stdout).toMatch(
        /re-authorized: {4}tcp 22 from 0\.0\.0\.0\/0 "ssh from anywhere"\n {20}tcp 22 from ::\/0 "ssh from anywhere, v6"\n/,
      );
      expect(undoRun.stdout).toMatch(/recorded: {9}undo#fail#\S+ \(outcome reverted\)/);
    });

    it('acts through the member role, assumed with the external id', () => {
      const assumeRoles = proxy.requests.filter((r) => r.action === 'AssumeRole');
      expect(assumeRoles).toHaveLength(1);
      expect(assumeRoles[0]?.params).toMatchObject({
        RoleArn: `arn:aws:iam::${MEMBER}:role/remediation-hub/RemediationHubMemberRole`,
        ExternalId: up.externalId,
      });
    });

    it('records a reverted event linked to the original, and marks the original as undone by it', () => {
      const original = records.find((r) => r.eventKey === 'fail');
      const undoEvent = records.find((r) => r.eventKey.startsWith('undo#fail#'));
      expect(undoEvent).toMatchObject({
        outcome: 'reverted',
        state: 'completed',
        accountId: MEMBER,
        region: REGION,
        resourceId: groupId,
        revertOf: { alertId, eventKey: 'fail' },
        revoked: [],
      });
      expect(rules(undoEvent?.authorized)).toEqual([
        'tcp 22-22 0.0.0.0/0 ssh from anywhere',
        'tcp 22-22 ::/0 ssh from anywhere, v6',
      ]);
      expect(undoEvent?.requestIds.length).toBeGreaterThan(0);
      expect(original?.revertedBy).toBe(undoEvent?.eventKey);
    });

    it('shows the undo in `audit show` next to the remediation', async () => {
      const { code, stdout } = await cli('audit', 'show', alertId);
      expect(code).toBe(0);
      expect(stdout).toContain(`${alertId}  fail  remediated`);
      expect(stdout).toMatch(new RegExp(`${alertId}  undo#fail#\\S+  reverted`));
      expect(stdout).toMatch(/undoes: +\S+ fail/);
    });

    it('refuses a second undo of the same remediation, in one line with exit code 2', async () => {
      const again = await cli('undo', alertId);
      expect(again.code).toBe(2);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(
        new RegExp(`^remediation-hub: ${alertId} \\(fail\\) was already undone \\(undo#fail#\\S+\\)\\n$`),
      );
      expect(rules(await ingress(groupId))).toEqual(rules(before));
    });
  });

  it('refuses to undo a record that was not a remediation', async () => {
    const groupId = await createGroup([SSH_WORLD], { 'remediation-hub:exempt': 'true' });
    const { alertId, outcome } = await remediate(groupId);
    expect(outcome).toBe('exempt');
    const { code, stderr } = await cli('undo', alertId);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `remediation-hub: ${alertId} (fail) was not a remediation: its outcome is exempt; only remediated records (or failed ones that revoked part of their plan) can be undone\n`,
    );
  });

  it('undoes a remediation that failed part-way, re-authorizing exactly what it revoked', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const before = await ingress(groupId);
    // The hub revokes one rule per call: the first (0.0.0.0/0) goes through, the second is refused.
    const { alertId, outcome, ledger } = await remediateRefusingRevoke(groupId, 2);
    expect(outcome).toBe('failed');
    const failed = await ledger.get(alertId, 'fail');
    expect(failed?.error?.name).toBe('AccessDeniedError');
    expect(rules(failed?.revoked)).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(rules(await ingress(groupId))).toEqual([
      'tcp 22-22 10.0.0.0/8 office',
      'tcp 22-22 ::/0 ssh from anywhere, v6',
    ]);

    const { code, stdout, stderr } = await cli('undo', alertId);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`undid ${alertId} (fail, failed part-way `);
    expect(rules(await ingress(groupId))).toEqual(rules(before));
    const undoEvent = (await ledger.listByAlert(alertId)).find((r) => r.eventKey.startsWith('undo#'));
    expect(undoEvent).toMatchObject({ outcome: 'reverted', revertOf: { alertId, eventKey: 'fail' } });
    expect(rules(undoEvent?.authorized)).toEqual(['tcp 22-22 0.0.0.0/0 ssh from anywhere']);
    expect((await ledger.get(alertId, 'fail'))?.revertedBy).toBe(undoEvent?.eventKey);
  });

  it('records on the undo event only the rules EC2 re-authorized, not one already re-added by hand', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const before = await ingress(groupId);
    const { alertId, ledger } = await remediate(groupId);
    // Someone puts one of the revoked rules back by hand before the undo.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' }],
          },
        ],
      }),
    );

    const { code, stdout, stderr } = await cli('undo', alertId);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/already present: {2}tcp 22 from 0\.0\.0\.0\/0 "ssh from anywhere"\n/);
    expect(rules(await ingress(groupId))).toEqual(rules(before));
    const event = (await ledger.listByAlert(alertId)).find((r) => r.outcome === 'reverted');
    expect(rules(event?.authorized)).toEqual(['tcp 22-22 ::/0 ssh from anywhere, v6']);
    expect(event?.revoked).toEqual([]);
    expect(rules(event?.plan?.authorize)).toEqual([
      'tcp 22-22 0.0.0.0/0 ssh from anywhere',
      'tcp 22-22 ::/0 ssh from anywhere, v6',
    ]);
    expect(event?.reason).toContain(
      're-authorized 1 rule (1 already present); already present: tcp 22 0.0.0.0/0',
    );
  });

  it('refuses a failed remediation that changed nothing', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const remediation = await remediateRefusingRevoke(groupId, 1);
    expect(remediation.outcome).toBe('failed');
    const { code, stderr } = await cli('undo', remediation.alertId);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `remediation-hub: ${remediation.alertId} (fail) failed before it changed the group (it revoked no rule): there is nothing to undo\n`,
    );
  });

  it('refuses an alert the ledger does not know', async () => {
    const { code, stderr } = await cli('undo', 'no-such-alert');
    expect(code).toBe(2);
    expect(stderr).toBe('remediation-hub: no ledger record for alert no-such-alert\n');
  });

  it('with --dry-run prints what it would re-authorize and changes nothing', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const { alertId, ledger } = await remediate(groupId);
    const remediated = await ingress(groupId);
    const { code, stdout } = await cli('undo', alertId, '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toContain(`dry run: would undo ${alertId} (fail`);
    expect(stdout).toMatch(
      /would authorize: {2}tcp 22 from 0\.0\.0\.0\/0 "ssh from anywhere"\n {20}tcp 22 from ::\/0 "ssh from anywhere, v6"\n/,
    );
    expect(stdout).toContain('nothing was changed (--dry-run)');
    expect(rules(await ingress(groupId))).toEqual(rules(remediated));
    const records = await ledger.listByAlert(alertId);
    expect(records.map((r) => r.eventKey)).toEqual(['fail']);
    expect(records[0]?.revertedBy).toBeUndefined();
  });

  it('of a narrow remediation revokes the re-authorized ranges and restores the whole range', async () => {
    const groupId = await createGroup([ALL_PORTS_WORLD]);
    const before = await ingress(groupId);
    const { alertId, outcome } = await remediate(groupId, { strategy: 'narrow' });
    expect(outcome).toBe('remediated');
    expect(rules(await ingress(groupId))).toEqual([
      'tcp 0-21 0.0.0.0/0 everything, by mistake',
      'tcp 23-65535 0.0.0.0/0 everything, by mistake',
    ]);
    const { code, stdout, stderr } = await cli('undo', alertId, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { revoke: IpPermission[]; authorize: IpPermission[] };
    expect(rules(result.revoke)).toEqual(['tcp 0-21 0.0.0.0/0', 'tcp 23-65535 0.0.0.0/0']);
    expect(rules(result.authorize)).toEqual(['tcp 0-65535 0.0.0.0/0 everything, by mistake']);
    expect(rules(await ingress(groupId))).toEqual(rules(before));
  });

  describe('of a remediation that a later, not undone remediation of the same group followed', () => {
    let groupId: string;
    let older: string;
    let later: string;
    let laterRecordedAt: string;

    beforeAll(async () => {
      // SSH narrowed out of 0-65535, then RDP narrowed out of what was left: undoing the SSH one alone
      // re-authorizes 0-65535 and reopens 3389.
      groupId = await createGroup([ALL_PORTS_WORLD]);
      const ssh = await remediate(groupId, { strategy: 'narrow', signature: 'AWS:EC2-002' });
      const rdp = await remediate(groupId, { strategy: 'narrow', signature: 'AWS:EC2-004' });
      expect([ssh.outcome, rdp.outcome]).toEqual(['remediated', 'remediated']);
      older = ssh.alertId;
      later = rdp.alertId;
      laterRecordedAt = (await rdp.ledger.get(later, 'fail'))?.recordedAt ?? '';
      expect(rules(await ingress(groupId))).toEqual([
        'tcp 0-21 0.0.0.0/0 everything, by mistake',
        'tcp 23-3388 0.0.0.0/0 everything, by mistake',
        'tcp 3390-65535 0.0.0.0/0 everything, by mistake',
      ]);
    }, 60_000);

    it('refuses in one line naming the later remediation, without touching the group, dry run included', async () => {
      const narrowed = rules(await ingress(groupId));
      for (const args of [[], ['--dry-run']]) {
        const { code, stdout, stderr } = await cli('undo', older, ...args);
        expect(code).toBe(2);
        expect(stdout).toBe('');
        expect(stderr).toBe(
          `remediation-hub: ${older} (fail) is not the latest change to ${groupId}: ${later} (fail, remediated ${laterRecordedAt}) changed it later (or while ${older} did) and was not undone; undoing ${older} now could reopen what that remediation closed. Undo it first, or pass --force\n`,
        );
      }
      expect(rules(await ingress(groupId))).toEqual(narrowed);
      const undoEvents = (await readerRoot().ledger.listByAlert(older)).filter((r) =>
        r.eventKey.startsWith('undo#'),
      );
      expect(undoEvents).toEqual([]);
    });

    it('with --force undoes it anyway, and says and records which later remediation it went past', async () => {
      const { code, stdout, stderr } = await cli('undo', older, '--force');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain(
        `  forced past:      ${later} (fail, remediated ${laterRecordedAt}), not undone\n`,
      );
      // What the refusal warned about: the whole range is back, 3389 included.
      expect(rules(await ingress(groupId))).toContain('tcp 0-65535 0.0.0.0/0 everything, by mistake');
      const event = (await readerRoot().ledger.listByAlert(older)).find((r) => r.outcome === 'reverted');
      expect(event?.reason).toContain(
        `(--force past later ${later} (fail, remediated ${laterRecordedAt}), not undone)`,
      );
    });
  });

  it('refuses to undo a remediation another one of the same group overlapped, though that one completed first', async () => {
    // Two alerts about one group in two Lambda invocations. A (narrow 22) starts at t0, revokes 0-65535 and
    // re-authorizes 0-21 and 23-65535, and completes at t0+5s; B (narrow 3389) starts at t0+2s, after A's
    // change, narrows 23-65535, and completes at t0+4s, before A. C changed the group before A started.
    const world = (from: number, to: number): IpPermission => ({
      IpProtocol: 'tcp',
      FromPort: from,
      ToPort: to,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    const groupId = await createGroup([
      { ...ALL_PORTS_WORLD, FromPort: 0, ToPort: 21 },
      { ...ALL_PORTS_WORLD, FromPort: 23, ToPort: 3388 },
      { ...ALL_PORTS_WORLD, FromPort: 3390, ToPort: 65535 },
    ]);
    const t0 = Date.now() - 60_000;
    const at = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
    const id = () => `${Date.now()}${randomBytes(3).readUIntBE(0, 3)}`;
    const record = (
      alertId: string,
      startedMs: number,
      completedMs: number,
      revoked: IpPermission[],
      authorized: IpPermission[],
    ): LedgerRecord => ({
      alertId,
      eventKey: 'fail',
      alertStatus: 'fail',
      state: 'completed',
      outcome: 'remediated',
      recordedAt: at(completedMs),
      expiresAt: Math.floor(t0 / 1000) + 86_400,
      accountId: MEMBER,
      region: REGION,
      resourceId: groupId,
      signature: { identifier: 'AWS:EC2-002', name: 'test' },
      mode: 'remediate',
      strategy: 'narrow',
      revoked,
      authorized,
      permissionsBefore: [ALL_PORTS_WORLD],
      requestIds: ['req-test'],
      attempts: 1,
      timings: {
        firstSeenAt: at(startedMs),
        startedAt: at(startedMs),
        completedAt: at(completedMs),
        durationMs: completedMs - startedMs,
      },
    });
    const a = record(id(), 0, 5_000, [world(0, 65535)], [world(0, 21), world(23, 65535)]);
    const b = record(id(), 2_000, 4_000, [world(23, 65535)], [world(23, 3388), world(3390, 65535)]);
    const c = record(id(), -3_000, -1_000, [world(443, 443)], []);
    const { ledger } = readerRoot();
    for (const r of [c, b, a]) await ledger.recordTerminal(r);
    const narrowed = rules(await ingress(groupId));

    for (const args of [[], ['--dry-run']]) {
      const { code, stdout, stderr } = await cli('undo', a.alertId, ...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `remediation-hub: ${a.alertId} (fail) is not the latest change to ${groupId}: ${b.alertId} (fail, remediated ${b.recordedAt}) changed it later (or while ${a.alertId} did) and was not undone; undoing ${a.alertId} now could reopen what that remediation closed. Undo it first, or pass --force\n`,
      );
    }
    // Overlapping goes both ways: B's undo names A (completed after B started) and not C.
    const undoB = await cli('undo', b.alertId, '--dry-run');
    expect(undoB.code).toBe(2);
    expect(undoB.stderr).toContain(`: ${a.alertId} (fail, remediated ${a.recordedAt}) changed it later`);
    expect(undoB.stderr).not.toContain(c.alertId);
    expect(rules(await ingress(groupId))).toEqual(narrowed);
    expect((await ledger.listByAlert(a.alertId)).map((r) => r.eventKey)).toEqual(['fail']);
  });

  it('undoes the later remediation first, then the older one without --force, back to the group before both', async () => {
    const groupId = await createGroup([ALL_PORTS_WORLD]);
    const before = await ingress(groupId);
    const ssh = await remediate(groupId, { strategy: 'narrow', signature: 'AWS:EC2-002' });
    const rdp = await remediate(groupId, { strategy: 'narrow', signature: 'AWS:EC2-004' });
    expect([ssh.outcome, rdp.outcome]).toEqual(['remediated', 'remediated']);

    const first = await cli('undo', rdp.alertId);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain('forced past');
    const second = await cli('undo', ssh.alertId);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(rules(await ingress(groupId))).toEqual(rules(before));
  });

  /** Undo's dependencies as the CLI builds them, with every AWS call through `endpoint`. */
  function undoDeps(endpoint: string, ledger?: (real: Ledger) => Ledger): UndoDependencies {
    const config = loadConfig(up.env);
    const root = createCompositionRoot({
      config,
      credentials: hubCredentials,
      logger: createLogger({ level: 'silent', destination: 'stderr' }),
      endpoint,
      sessionName: 'remediation-hub-undo',
    });
    roots.push(root);
    return {
      ledger: ledger ? ledger(root.ledger) : root.ledger,
      gateway: root.gateway,
      clock: root.clock,
      roleArnFor: (accountId) => root.credentials.roleArnFor(accountId),
      recorder: new DynamoDbRevertRecorder({ client: root.documentClient, tableName: config.ledgerTable }),
    };
  }

  /** An undo event as a claim writes it: in progress, under `owner`'s lease. */
  function claimedEvent(
    original: LedgerRecord,
    at: Date,
    owner: string,
    leaseExpiresAt: number,
  ): LedgerRecord {
    return {
      ...original,
      eventKey: undoEventKey(original.alertStatus, at),
      state: 'in-progress',
      outcome: undefined,
      revertedBy: undefined,
      previousOutcome: undefined,
      error: undefined,
      reason: `undo of ${original.alertId} (${original.eventKey}) by a test: in progress`,
      revoked: [],
      authorized: [],
      requestIds: [],
      leaseOwner: owner,
      leaseExpiresAt,
      recordedAt: at.toISOString(),
      timings: { firstSeenAt: at.toISOString(), startedAt: at.toISOString() },
      revertOf: { alertId: original.alertId, eventKey: original.eventKey },
    };
  }

  it('claims the remediation before any EC2 call: of two undos racing, one changes the group and is recorded', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const before = await ingress(groupId);
    const { alertId, ledger } = await remediate(groupId);
    const proxy = await startRecordingProxy();
    try {
      // Both undos finish reading the ledger before either claims: only the claim can tell them apart.
      let reads = 0;
      let bothRead: () => void = () => {};
      const barrier = new Promise<void>((resolve) => {
        bothRead = resolve;
      });
      const waitForTheOther = (real: Ledger): Ledger => ({
        claim: (r) => real.claim(r),
        complete: (r) => real.complete(r),
        recordTerminal: (r) => real.recordTerminal(r),
        countDuplicate: (a, e, n) => real.countDuplicate(a, e, n),
        get: (a, e) => real.get(a, e),
        query: (q) => real.query(q),
        listExpiredLeases: (n) => real.listExpiredLeases(n),
        listByAlert: async (id) => {
          const records = await real.listByAlert(id);
          if (++reads === 2) bothRead();
          await barrier;
          return records;
        },
      });
      // DynamoDB serializes transactions on the same items; the emulator (moto 5.2) runs two at once without
      // isolation (both may pass their conditions, and a cancelled one's rollback restores a table snapshot),
      // so the claims are put in order here, as DynamoDB would order them.
      let claims: Promise<unknown> = Promise.resolve();
      const oneClaimAtATime = (deps: UndoDependencies): UndoDependencies => ({
        ...deps,
        recorder: {
          complete: (event) => deps.recorder.complete(event),
          fail: (original, event) => deps.recorder.fail(original, event),
          claim: (original, event, abandoned) => {
            const claim = claims.then(() => deps.recorder.claim(original, event, abandoned));
            claims = claim.catch(() => undefined);
            return claim;
          },
        },
      });
      const first = oneClaimAtATime(undoDeps(proxy.endpoint, waitForTheOther));
      const second = oneClaimAtATime({
        ...undoDeps(proxy.endpoint, waitForTheOther),
        clock: { now: () => new Date(Date.now() + 1) },
      });
      const settled = await Promise.allSettled([
        undoRemediation(first, { alertId, dryRun: false }),
        undoRemediation(second, { alertId, dryRun: false }),
      ]);

      const won = settled.filter((s) => s.status === 'fulfilled');
      const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(OperationRefusedError);
      expect((lost[0] as Error).message).toBe(
        `${alertId} (fail) was claimed by another undo (or changed) after this undo read it; nothing was changed: see \`audit show ${alertId}\``,
      );
      // One set of authorizations: one call per revoked rule (0.0.0.0/0 and ::/0), from the winner only.
      const authorizations = proxy.requests.filter((r) => r.action === 'AuthorizeSecurityGroupIngress');
      expect(authorizations).toHaveLength(2);
      expect(proxy.requests.filter((r) => r.action === 'TransactWriteItems')).toHaveLength(2);
      expect(rules(await ingress(groupId))).toEqual(rules(before));
      const undoEvents = (await ledger.listByAlert(alertId)).filter((r) => r.eventKey.startsWith('undo#'));
      expect(undoEvents).toHaveLength(1);
      expect(undoEvents[0]).toMatchObject({ state: 'completed', outcome: 'reverted' });
      expect((await ledger.get(alertId, 'fail'))?.revertedBy).toBe(undoEvents[0]?.eventKey);
    } finally {
      await proxy.close();
    }
  });

  it('in the ledger, refuses a second claim of a remediation already claimed', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const { alertId, ledger } = await remediate(groupId);
    const original = await ledger.get(alertId, 'fail');
    if (!original) throw new Error('no ledger record');
    const { recorder } = undoDeps(emulatorEndpoint());
    const lease = Date.now() + 300_000;
    const firstEvent = claimedEvent(original, new Date(Date.now() + 1), 'undo-1', lease);
    await recorder.claim(original, firstEvent);
    const second = await recorder
      .claim(original, claimedEvent(original, new Date(Date.now() + 2), 'undo-2', lease))
      .catch((error: unknown) => error);
    expect(second).toBeInstanceOf(OperationRefusedError);
    const records = await ledger.listByAlert(alertId);
    expect(records.filter((r) => r.eventKey.startsWith('undo#')).map((r) => r.eventKey)).toEqual([
      firstEvent.eventKey,
    ]);
    expect(records.find((r) => r.eventKey === 'fail')?.revertedBy).toBe(firstEvent.eventKey);
  });

  it('refuses, before any EC2 call, while another undo of the remediation is in progress', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const { alertId, ledger } = await remediate(groupId);
    const remediated = await ingress(groupId);
    const original = await ledger.get(alertId, 'fail');
    if (!original) throw new Error('no ledger record');
    const started = new Date();
    const lease = started.getTime() + 300_000;
    const other = claimedEvent(original, started, 'another-operator', lease);
    await undoDeps(emulatorEndpoint()).recorder.claim(original, other);

    const proxy = await startRecordingProxy();
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    try {
      const { code, stdout, stderr } = await cli('undo', alertId);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `remediation-hub: ${alertId} (fail) is being undone by ${other.eventKey} (started ${started.toISOString()}); if that undo stopped, undo can take it over after its claim expires at ${new Date(lease).toISOString()}\n`,
      );
      expect(proxy.requests.filter((r) => r.service === 'ec2' || r.service === 'sts')).toEqual([]);
    } finally {
      process.env.AWS_ENDPOINT_URL = up.env.AWS_ENDPOINT_URL;
      await proxy.close();
    }
    expect(rules(await ingress(groupId))).toEqual(rules(remediated));
  });

  it('takes over an undo that claimed the remediation and stopped, once its claim has expired', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const before = await ingress(groupId);
    const { alertId, ledger } = await remediate(groupId);
    const original = await ledger.get(alertId, 'fail');
    if (!original) throw new Error('no ledger record');
    const started = new Date(Date.now() - 600_000);
    const dead = claimedEvent(original, started, 'a-process-that-died', started.getTime() + 300_000);
    await undoDeps(emulatorEndpoint()).recorder.claim(original, dead);

    const { code, stdout, stderr } = await cli('undo', alertId);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `  took over:        ${dead.eventKey} (an undo that stopped before finishing; recorded as failed)\n`,
    );
    expect(rules(await ingress(groupId))).toEqual(rules(before));
    const records = await ledger.listByAlert(alertId);
    const abandoned = records.find((r) => r.eventKey === dead.eventKey);
    expect(abandoned).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      error: { name: 'UndoAbandonedError', retryable: true },
    });
    expect(abandoned?.leaseExpiresAt).toBeUndefined();
    const reverted = records.filter((r) => r.outcome === 'reverted');
    expect(reverted).toHaveLength(1);
    expect(reverted[0]?.reason).toContain(`took over ${dead.eventKey}`);
    expect(records.find((r) => r.eventKey === 'fail')?.revertedBy).toBe(reverted[0]?.eventKey);
  });

  it('stops before an EC2 change when its claim is about to expire, and records that as a failed undo', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const { alertId, ledger } = await remediate(groupId);
    const remediated = await ingress(groupId);
    const proxy = await startRecordingProxy();
    try {
      // The process stalls right after its claim (a paused laptop): 250 s pass, its 300 s lease is nearly gone.
      let stalled = 0;
      const deps = undoDeps(proxy.endpoint);
      const slow: UndoDependencies = {
        ...deps,
        clock: { now: () => new Date(Date.now() + stalled) },
        recorder: {
          complete: (event) => deps.recorder.complete(event),
          fail: (original, event) => deps.recorder.fail(original, event),
          claim: async (original, event, abandoned) => {
            await deps.recorder.claim(original, event, abandoned);
            stalled = 250_000;
          },
        },
      };
      const error = await undoRemediation(slow, { alertId, dryRun: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UndoFailedError);
      expect((error as UndoFailedError).cause).toBeInstanceOf(LeaseContentionError);
      expect((error as Error).message).toMatch(/no further EC2 change was started/);
      expect(proxy.requests.filter((r) => r.action === 'AuthorizeSecurityGroupIngress')).toEqual([]);
    } finally {
      await proxy.close();
    }
    expect(rules(await ingress(groupId))).toEqual(rules(remediated));
    const records = await ledger.listByAlert(alertId);
    expect(records.find((r) => r.eventKey.startsWith('undo#'))).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      authorized: [],
      error: { name: 'LeaseContentionError', retryable: true },
    });
    expect(records.find((r) => r.eventKey === 'fail')?.revertedBy).toBeUndefined();
  });

  it('records a failed undo as failed with what it restored, and a later undo completes it', async () => {
    const groupId = await createGroup([SSH_WORLD]);
    const before = await ingress(groupId);
    const { alertId, ledger } = await remediate(groupId);

    // One rule per call: the first re-authorization (0.0.0.0/0) goes through, the second is refused.
    const proxy = await startRecordingProxy();
    let authorizations = 0;
    proxy.failNext(
      (request) => request.action === 'AuthorizeSecurityGroupIngress' && ++authorizations === 2,
      {
        status: 403,
        body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
    );
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    let failedRun: Awaited<ReturnType<typeof cli>>;
    try {
      failedRun = await cli('undo', alertId);
    } finally {
      process.env.AWS_ENDPOINT_URL = up.env.AWS_ENDPOINT_URL;
      await proxy.close();
    }
    expect(failedRun.code).toBe(2);
    expect(failedRun.stdout).toBe('');
    expect(failedRun.stderr).toMatch(
      new RegExp(
        `^remediation-hub: undo of ${alertId} \\(fail\\) failed after it re-authorized 1 rule: .*UnauthorizedOperation.*; recorded as undo#fail#\\S+ \\(outcome failed\\); the remediation is not marked undone, so undo can run again\\n$`,
      ),
    );
    const afterFailure = await ledger.listByAlert(alertId);
    const failedUndo = afterFailure.find((r) => r.eventKey.startsWith('undo#'));
    expect(failedUndo).toMatchObject({
      state: 'completed',
      outcome: 'failed',
      error: { name: 'AccessDeniedError' },
      revertOf: { alertId, eventKey: 'fail' },
    });
    expect(failedUndo?.leaseExpiresAt).toBeUndefined();
    expect(rules(failedUndo?.authorized)).toEqual(['tcp 22-22 0.0.0.0/0 ssh from anywhere']);
    expect(rules(failedUndo?.plan?.authorize)).toHaveLength(2);
    expect(afterFailure.find((r) => r.eventKey === 'fail')?.revertedBy).toBeUndefined();

    const retry = await cli('undo', alertId);
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(
      /re-authorized: {4}tcp 22 from ::\/0 "ssh from anywhere, v6"\n {2}already present/,
    );
    expect(retry.stdout).toMatch(/already present: {2}tcp 22 from 0\.0\.0\.0\/0 "ssh from anywhere"\n/);
    expect(rules(await ingress(groupId))).toEqual(rules(before));
    const records = await ledger.listByAlert(alertId);
    const undoEvents = records.filter((r) => r.eventKey.startsWith('undo#'));
    expect(undoEvents.map((r) => r.outcome).sort()).toEqual(['failed', 'reverted']);
    const reverted = undoEvents.find((r) => r.outcome === 'reverted');
    expect(reverted?.reason).toContain('re-authorized 1 rule (1 already present)');
    expect(records.find((r) => r.eventKey === 'fail')?.revertedBy).toBe(reverted?.eventKey);
  });
});
