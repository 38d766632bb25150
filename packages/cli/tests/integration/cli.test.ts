import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalUpResult } from '@remediation-hub/testkit';
import {
  createGroup,
  emulatorEndpoint,
  hubClients,
  ingressRules,
  makeAlert,
  publish,
  repoRoot,
  snsEnvelope,
  uniqueName,
  upTestHub,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';

// Accounts 333333333380-389 belong to this file.
const A = '333333333380';
const B = '333333333381';
const C = '333333333382';

const run = promisify(execFile);

/** The real binary, as `pnpm remediation-hub ...` runs it. */
async function cli(args: string[], env: Record<string, string>) {
  const root = repoRoot();
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/cli/bin/remediation-hub.ts'), ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    isTty: false,
    out: () => out,
    err: () => err,
  };
}

describe('remediation-hub CLI', () => {
  it('local up --json, then consume --once with the printed environment, remediates alerts published to the printed topic', async () => {
    const prefix = `${uniqueName('cli')}-`;
    // No credentials in the environment: against the emulator the CLI falls back to its placeholder keys.
    const upRun = await cli(['local', 'up', '--accounts', `${A},${B}`, '--json', '--prefix', prefix], {
      AWS_ENDPOINT_URL: emulatorEndpoint(),
    });
    expect(upRun.stderr).toBe('');
    expect(upRun.code).toBe(0);
    const up = JSON.parse(upRun.stdout) as LocalUpResult;
    expect(up.memberRoles.map((r) => r.accountId)).toEqual([A, B]);

    const inA = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const inB = await createGroup(B, 'ap-northeast-1', [WORLD_SSH]);
    const hub = hubClients();
    await publish(
      hub.sns,
      up.topic.arn,
      makeAlert({ id: uniqueName('a'), accountId: A, region: 'us-east-1', groupId: inA }),
    );
    await publish(
      hub.sns,
      up.topic.arn,
      JSON.stringify(
        snsEnvelope(makeAlert({ id: uniqueName('b'), accountId: B, region: 'ap-northeast-1', groupId: inB })),
      ),
    );

    const consumed = await cli(['consume', '--queue-url', up.queue.url, '--once', '--json'], up.env);
    expect(consumed.stderr).toBe('');
    expect(consumed.code).toBe(0);
    expect(JSON.parse(consumed.stdout)).toMatchObject({
      received: 2,
      deleted: 2,
      outcomes: { remediated: 2 },
    });
    expect(await ingressRules(A, 'us-east-1', inA)).toEqual([]);
    expect(await ingressRules(B, 'ap-northeast-1', inB)).toEqual([]);
  });

  it('prints one line and exits 2 when local up has no emulator endpoint', async () => {
    const result = await cli(['local', 'up', '--accounts', A], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'remediation-hub: local up only runs against an emulator: set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:5000)\n',
    );
    expect(result.stdout).toBe('');
  });

  describe('in process', () => {
    let up: LocalUpResult;
    let dir: string;

    beforeAll(async () => {
      up = await upTestHub('cli-in-process', [C]);
      dir = await mkdtemp(join(tmpdir(), 'remediation-hub-replay-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    const useHubEnvironment = () => {
      for (const [name, value] of Object.entries(up.env)) vi.stubEnv(name, value);
      // Logs go straight to fd 2; keep the test output quiet.
      vi.stubEnv('LOG_LEVEL', 'error');
    };

    it('replay processes an alert file (raw or SNS envelope) through the hub and prints its outcome', async () => {
      useHubEnvironment();
      const groupId = await createGroup(C, 'eu-west-1', [WORLD_SSH]);
      const doc = makeAlert({ id: uniqueName('replay'), accountId: C, region: 'eu-west-1', groupId });
      const raw = join(dir, 'raw.json');
      const envelope = join(dir, 'envelope.json');
      await writeFile(raw, JSON.stringify(doc));
      await writeFile(envelope, JSON.stringify(snsEnvelope(doc), null, 2));

      const first = captureIo();
      expect(await main(['replay', raw], first)).toBe(0);
      expect(first.out()).toBe(
        `${doc.data.id}/fail: remediated [evident AWS:EC2-002] (account ${C}, eu-west-1, ${groupId})\n`,
      );
      expect(await ingressRules(C, 'eu-west-1', groupId)).toEqual([]);

      const second = captureIo();
      expect(await main(['replay', envelope, '--json'], second)).toBe(0);
      expect(JSON.parse(second.out())).toMatchObject({ alertId: doc.data.id, outcome: 'duplicate' });
    });

    it('replay of an alert for an account off the allow-list prints rejected, and exits 3', async () => {
      useHubEnvironment();
      const file = join(dir, 'other-account.json');
      await writeFile(
        file,
        JSON.stringify(
          makeAlert({
            id: uniqueName('r'),
            accountId: '333333333389',
            region: 'us-east-1',
            groupId: 'sg-0123456789abcdef0',
          }),
        ),
      );
      const io = captureIo();
      expect(await main(['replay', file], io)).toBe(3);
      expect(io.out()).toContain(
        ': rejected [evident AWS:EC2-002] (account 333333333389, us-east-1, sg-0123456789abcdef0): account 333333333389 is not on the hub',
      );
    });

    it('names every bad variable on one line and exits 2 when the configuration is invalid', async () => {
      useHubEnvironment();
      vi.stubEnv('LEDGER_TABLE', '');
      vi.stubEnv('ALLOWED_ACCOUNTS', '1234');
      vi.stubEnv('STRATEGY', 'nuke');
      const io = captureIo();
      expect(await main(['consume', '--queue-url', up.queue.url, '--once'], io)).toBe(2);
      expect(io.err()).toBe(
        'remediation-hub: invalid configuration: LEDGER_TABLE is required (a DynamoDB table name); ALLOWED_ACCOUNTS must be comma-separated 12-digit account ids, got "1234"; STRATEGY must be one of revoke, narrow, got "nuke"\n',
      );
      expect(io.out()).toBe('');
    });

    it('consume needs a queue URL, replay a readable file', async () => {
      useHubEnvironment();
      vi.stubEnv('QUEUE_URL', '');
      const noQueue = captureIo();
      expect(await main(['consume', '--once'], noQueue)).toBe(2);
      expect(noQueue.err()).toBe('remediation-hub: --queue-url is required (or set QUEUE_URL)\n');
      const noFile = captureIo();
      expect(await main(['replay', join(dir, 'missing.json')], noFile)).toBe(2);
      expect(noFile.err()).toMatch(/^remediation-hub: cannot read .*missing\.json: ENOENT\n$/);
    });

    it('consume prints a summary line for people without --json', async () => {
      useHubEnvironment();
      const groupId = await createGroup(C, 'us-east-1', [WORLD_SSH]);
      const hub = hubClients();
      await publish(
        hub.sns,
        up.topic.arn,
        makeAlert({ id: uniqueName('h'), accountId: C, region: 'us-east-1', groupId }),
      );
      await publish(hub.sns, up.topic.arn, 'not an alert');
      const io = captureIo();
      expect(await main(['consume', '--once'], io)).toBe(0);
      expect(io.out()).toBe('2 message(s) processed: remediated 1, rejected 1\n');
    });
  });
});
