import { ec2Error, emulatorEndpoint, startRecordingProxy } from '@remediation-hub/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import { DEMO_ALERTS } from '../../src/operations/demoScenario.js';
import { type DemoResult, type DemoStage, runDemoScenario } from '../../src/operations/runDemoScenario.js';

// Account ids of this file only: the emulator is shared with every other test of the run.
const ACCOUNTS = {
  members: ['555555555501', '555555555502', '555555555503'],
  outsider: '555555555599',
  regions: ['us-east-1', 'eu-west-1'],
} as const;

describe('runDemoScenario', () => {
  let result: DemoResult;
  const progress: DemoStage[] = [];

  beforeAll(async () => {
    result = await runDemoScenario({
      endpoint: emulatorEndpoint(),
      accounts: ACCOUNTS,
      prefix: `demotest-${Date.now().toString(36)}-`,
      onProgress: (stage) => progress.push(stage),
    });
  }, 120_000);

  it('ends with every outcome, group and AssumeRole count as the scenario expects', () => {
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('records the expected outcome for each alert of each source: remediated, exempt, ignored, rejected and duplicate', () => {
    expect(result.alerts.map((a) => [a.label, a.actual])).toEqual(
      DEMO_ALERTS.map((a) => [a.label, a.expected]),
    );
    expect(result.alerts.map((a) => a.source)).toEqual(DEMO_ALERTS.map((a) => a.source ?? 'evident'));
    expect(new Set(result.alerts.map((a) => a.source))).toEqual(
      new Set(['evident', 'security-hub', 'prisma-cloud']),
    );
  });

  it('closes what Security Hub EC2.19 and Prisma Cloud name, and says what stayed open', () => {
    const byKey = Object.fromEntries(result.groups.map((g) => [g.key, g]));
    expect(byKey['high-risk-ports']).toMatchObject({
      worldOpenBefore: ['tcp 0-65535 from 0.0.0.0/0', 'tcp 443 from 0.0.0.0/0'],
      closed: ['tcp 0-65535 from 0.0.0.0/0'],
      worldOpenAfter: ['tcp 443 from 0.0.0.0/0'],
      note: expect.stringContaining('EC2.19'),
    });
    expect(byKey['prisma-ssh']).toMatchObject({
      worldOpenBefore: ['tcp 22 from 0.0.0.0/0', 'tcp 80 from 0.0.0.0/0'],
      closed: ['tcp 22 from 0.0.0.0/0'],
      worldOpenAfter: ['tcp 80 from 0.0.0.0/0'],
    });
  });

  it('closes only the alerted exposures and leaves narrower rules and exempt groups alone', () => {
    const byKey = Object.fromEntries(result.groups.map((g) => [g.key, g]));
    expect(byKey['ssh-world']).toMatchObject({
      worldOpenBefore: ['tcp 22 from 0.0.0.0/0', 'tcp 22 from ::/0', 'tcp 443 from 0.0.0.0/0'],
      worldOpenAfter: ['tcp 443 from 0.0.0.0/0'],
    });
    expect(byKey['ssh-mixed']).toMatchObject({
      worldOpenBefore: ['tcp 22 from 0.0.0.0/0'],
      worldOpenAfter: [],
      otherAfter: ['tcp 22 from 10.0.0.0/8'],
    });
    expect(byKey['all-traffic']).toMatchObject({
      worldOpenBefore: ['all traffic from 0.0.0.0/0'],
      worldOpenAfter: [],
    });
    expect(byKey['rdp-world']).toMatchObject({
      worldOpenBefore: ['tcp 3389 from 0.0.0.0/0'],
      worldOpenAfter: [],
    });
    expect(byKey['ssh-exempt']).toMatchObject({
      worldOpenBefore: ['tcp 22 from 0.0.0.0/0'],
      worldOpenAfter: ['tcp 22 from 0.0.0.0/0'],
    });
  });

  it('publishes one outcome event per completed notification; the on-call filter policy lets only rejected through', () => {
    expect(result.alerts.map((a) => [a.label, a.event])).toEqual(
      DEMO_ALERTS.map((a) => [a.label, a.expected === 'duplicate' ? 'none' : a.expected]),
    );
    expect(result.alerts.every((a) => a.eventOk)).toBe(true);
    const notAllowed = result.alerts.find((a) => a.label === 'not-allowed');
    expect(result.subscribers.map((s) => [s.filterPolicy, s.expected, s.received, s.ok])).toEqual([
      [undefined, DEMO_ALERTS.length - 1, DEMO_ALERTS.length - 1, true],
      [{ outcome: ['failed', 'rejected'] }, 1, 1, true],
    ]);
    expect(result.subscribers[1]?.events).toEqual([`${notAllowed?.alertId} rejected`]);
  });

  it('assumes the member role once per member account, with the external id, and never for the outsider', () => {
    expect(result.assumeRole).toEqual({
      expected: 3,
      actual: 3,
      byAccount: { '555555555501': 1, '555555555502': 1, '555555555503': 1 },
      externalIdSent: true,
      ok: true,
    });
  });

  it('reports progress for every stage in order', () => {
    expect(progress).toEqual(['hub', 'members', 'publish', 'consume', 'verify']);
    expect(result.stages.map((s) => s.stage)).toEqual(progress);
  });
});

describe('remediation-hub demo', () => {
  const endpoint = emulatorEndpoint();
  afterEach(() => {
    process.env.AWS_ENDPOINT_URL = endpoint;
  });

  it('prints one JSON document and exits 0 with --json, with no progress on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: true };
    const code = await main(['demo', '--json'], io);
    const report = JSON.parse(out.join('')) as DemoResult & { emulator: { startedHere: boolean } };
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.emulator.startedHere).toBe(false);
    expect(report.alerts).toHaveLength(DEMO_ALERTS.length);
    expect(err.join('')).toBe('');
  }, 120_000);

  it('exits 1 and names every difference when the member role may not revoke', async () => {
    // Every revocation is refused as AWS refuses a role without ec2:RevokeSecurityGroupIngress.
    const proxy = await startRecordingProxy({ target: endpoint });
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      {
        status: 403,
        body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
      1_000,
    );
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: () => {}, isTty: false };
    try {
      const code = await main(['demo'], io);
      const text = out.join('');
      expect(code).toBe(1);
      expect(text).toContain('demo FAILED');
      expect(text).toMatch(/alert ssh-world: expected remediated, got failed/);
      expect(text).toMatch(/alert rdp-world: expected remediated, got failed/);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('shows a progress line per stage on a terminal, on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: true };
    expect(await main(['demo'], io)).toBe(0);
    const progress = err.join('').trim().split('\n');
    expect(progress[0]).toMatch(/using the emulator at/);
    expect(progress).toHaveLength(6);
    expect(out.join('')).toMatch(
      /demo ok: 10 of 10 outcomes and 8 of 8 groups as expected, 10 outcome events received, 3 AssumeRole calls/,
    );
  }, 120_000);
});
