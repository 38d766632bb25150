import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  awsClientConfig,
  createGroup,
  ec2Error,
  emulatorEndpoint,
  ingressRules,
  type LocalUpResult,
  makeAlert,
  memberEc2,
  repoRoot,
  startRecordingProxy,
  uniqueName,
  upTestHub,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';

// Accounts 777777770021-029 belong to this file; 028 and 029 are never on the allow-list.
const A = '777777770021';
const OUTSIDER = '777777770029';

const run = promisify(execFile);

/** The real binary, with exactly this environment (plus PATH and HOME). */
async function binary(args: string[], env: Record<string, string>, options: { timeout?: number } = {}) {
  const root = repoRoot();
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/cli/bin/remediation-hub.ts'), ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        timeout: options.timeout ?? 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function captureIo(isTty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    isTty,
    out: () => out,
    err: () => err,
  };
}

describe('the rough edges a new user hits', () => {
  let up: LocalUpResult;
  let dir: string;
  beforeAll(async () => {
    up = await upTestHub('edges', [A]);
    dir = await mkdtemp(join(tmpdir(), 'remediation-hub-edges-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const useHub = (env: Record<string, string> = {}) => {
    for (const [name, value] of Object.entries({ ...up.env, LOG_LEVEL: 'error', ...env }))
      vi.stubEnv(name, value);
  };
  const alertFile = async (accountId: string, groupId: string, region = 'us-east-1') => {
    const doc = makeAlert({ id: uniqueName('edge'), accountId, region, groupId });
    const file = join(dir, `${doc.data.id}.json`);
    await writeFile(file, JSON.stringify(doc));
    return { doc, file };
  };

  describe('help and version', () => {
    it('prints the help and exits 0 with no arguments, never a library message', async () => {
      const io = captureIo();
      expect(await main([], io)).toBe(0);
      expect(io.out()).toMatch(/^Usage: remediation-hub \[options\] \[command\]\n/);
      expect(io.out()).toContain('scan [options]');
      expect(io.err()).toBe('');
      const group = captureIo();
      expect(await main(['local'], group)).toBe(0);
      expect(group.err()).not.toContain('outputHelp');
    });

    it('prints its version with --version', async () => {
      const io = captureIo();
      expect(await main(['--version'], io)).toBe(0);
      expect(io.out()).toBe('0.1.0\n');
    });

    it('does the same as the real binary', async () => {
      const none = await binary([], {});
      expect(none.code).toBe(0);
      expect(none.stdout).toMatch(/^Usage: remediation-hub/);
      expect(none.stderr).toBe('');
    });
  });

  describe('replay', () => {
    it('exits 3 for rejected, with the one result line', async () => {
      useHub();
      const { doc, file } = await alertFile(OUTSIDER, 'sg-0123456789abcdef0');
      const io = captureIo();
      expect(await main(['replay', file], io)).toBe(3);
      expect(io.out()).toBe(
        `${doc.data.id}/fail: rejected [evident AWS:EC2-002] (account ${OUTSIDER}, us-east-1, sg-0123456789abcdef0): account ${OUTSIDER} is not on the hub's allow-list\n`,
      );
      expect(io.err()).toBe('');
    });

    it('exits 4 for failed (the member role refused)', async () => {
      const proxy = await startRecordingProxy();
      try {
        useHub({ AWS_ENDPOINT_URL: proxy.endpoint });
        const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
        proxy.failNext(
          { action: 'DescribeSecurityGroups' },
          {
            status: 403,
            body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
          },
        );
        const { doc, file } = await alertFile(A, groupId);
        const io = captureIo();
        expect(await main(['replay', file], io)).toBe(4);
        expect(io.out()).toMatch(
          new RegExp(
            `^${doc.data.id}/fail: failed \\[evident AWS:EC2-002\\] \\(account ${A}, us-east-1, ${groupId}\\): .*UnauthorizedOperation`,
          ),
        );
      } finally {
        await proxy.close();
      }
    });

    it('exits 5 for a group that no longer exists, in one line, and logs nothing at the default level', async () => {
      const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
      const ec2 = await memberEc2(A, 'us-east-1');
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
      ec2.destroy();
      const { doc, file } = await alertFile(A, groupId);
      // The real binary: the logs go to its stderr. No LOG_LEVEL: the CLI's default, warn.
      const result = await binary(['replay', file], {
        ...up.env,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      });
      expect(result).toEqual({
        code: 5,
        stdout: `${doc.data.id}/fail: resource-gone [evident AWS:EC2-002] (account ${A}, us-east-1, ${groupId}): security group ${groupId} does not exist (InvalidGroup.NotFound), nothing to do\n`,
        stderr: '',
      });
    });

    it('refuses a file that is not JSON up front, exit 2, and records nothing', async () => {
      useHub();
      const file = join(dir, 'not-json.json');
      await writeFile(file, '{"data":');
      const since = new Date();
      const io = captureIo();
      expect(await main(['replay', file], io)).toBe(2);
      expect(io.err()).toBe(
        `remediation-hub: ${file} is not an alert the hub can read: message is not JSON: Unexpected end of JSON input; nothing was recorded\n`,
      );
      expect(io.out()).toBe('');
      const listed = captureIo();
      expect(
        await main(
          ['audit', 'list', '--outcome', 'rejected', '--since', since.toISOString(), '--json'],
          listed,
        ),
      ).toBe(0);
      expect(JSON.parse(listed.out()).records).toEqual([]);
    });

    it('after undo, says a duplicate was undone, that it is not re-applied, and how to close it again', async () => {
      useHub();
      const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
      const { doc, file } = await alertFile(A, groupId, 'eu-west-1');
      expect(await main(['replay', file], captureIo())).toBe(0);
      expect(await main(['undo', doc.data.id], captureIo())).toBe(0);
      expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
      const io = captureIo();
      expect(await main(['replay', file], io)).toBe(0);
      expect(io.out()).toMatch(
        new RegExp(
          `^${doc.data.id}/fail: duplicate \\[evident AWS:EC2-002\\] \\(account ${A}, eu-west-1, ${groupId}\\): its remediation was undone \\(undo#fail#[^)]+\\), and an undone remediation is never applied again by the same alert; to close the exposure again, run \`remediation-hub scan --account ${A} --region eu-west-1 --remediate\`\\n$`,
        ),
      );
    });
  });

  describe('region and environment', () => {
    it('takes the region of the AWS profile (~/.aws/config), as the SDK does', async () => {
      const home = join(dir, 'home');
      await mkdir(join(home, '.aws'), { recursive: true });
      await writeFile(join(home, '.aws', 'config'), '[profile ops]\nregion = us-east-1\n');
      await writeFile(
        join(home, '.aws', 'credentials'),
        '[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      );
      const result = await binary(['audit', 'list', '--account', '777777770028'], {
        HOME: home,
        AWS_PROFILE: 'ops',
        AWS_ENDPOINT_URL: emulatorEndpoint(),
        LEDGER_TABLE: up.env.LEDGER_TABLE ?? '',
      });
      expect(result).toEqual({ code: 0, stdout: 'no ledger records match (index byAccount)\n', stderr: '' });
    });

    it('refuses an endpoint that is not a URL before waiting for it', async () => {
      const started = Date.now();
      const result = await binary(['demo'], { AWS_ENDPOINT_URL: 'foo' });
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'remediation-hub: AWS_ENDPOINT_URL is not an http(s) URL: "foo"; set it to your emulator (e.g. http://127.0.0.1:5000), or unset it to use AWS\n',
      });
      expect(Date.now() - started).toBeLessThan(8_000);
    });

    it('refuses a region that is not one', async () => {
      useHub({ AWS_REGION: 'mars' });
      const io = captureIo();
      expect(await main(['audit', 'list'], io)).toBe(2);
      expect(io.err()).toBe(
        'remediation-hub: AWS_REGION is not an AWS region: "mars"; set it to one such as us-east-1\n',
      );
    });

    it('says an emulator that does not answer is not running', async () => {
      useHub({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
      const io = captureIo();
      expect(await main(['local', 'up', '--accounts', A], io)).toBe(2);
      expect(io.err()).toBe(
        'remediation-hub: cannot reach the emulator at http://127.0.0.1:9 (ECONNREFUSED): is it running? Start one (`pnpm demo` starts its own), or set AWS_ENDPOINT_URL to one that is\n',
      );
    });

    it('names the ledger table that does not exist', async () => {
      useHub({ LEDGER_TABLE: 'no-such-ledger' });
      const io = captureIo();
      expect(await main(['audit', 'list'], io)).toBe(2);
      expect(io.err()).toBe(
        `remediation-hub: the ledger table no-such-ledger does not exist in the emulator at ${emulatorEndpoint()}: check LEDGER_TABLE (or --table) and AWS_REGION; \`remediation-hub local up\` creates one on an emulator\n`,
      );
    });

    it('names the index a table made before it lacks, and how it is added', async () => {
      const db = new DynamoDBClient(awsClientConfig());
      const table = `old-ledger-${Date.now()}`;
      const key = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
      await db.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: ['alertId', 'eventKey', 'outcome', 'recordedAt'].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          KeySchema: [key('alertId', 'HASH'), key('eventKey', 'RANGE')],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byOutcome',
              KeySchema: [key('outcome', 'HASH'), key('recordedAt', 'RANGE')],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
      db.destroy();
      useHub({});
      const io = captureIo();
      expect(await main(['audit', 'list', '--source', 'evident', '--table', table], io)).toBe(2);
      expect(io.err()).toBe(
        `remediation-hub: the table ${table} has no index bySource in the emulator at ${emulatorEndpoint()}: a table made before that index existed gets it from a stack update, one index per update (docs/deployment.md, "Upgrading the ledger's indexes")\n`,
      );
    });

    it("says an answer that is not AWS's is not, instead of a deserialization error", async () => {
      // An HTTP server that answers HTML to everything, as a wrong endpoint does.
      const { createServer } = await import('node:http');
      const server = createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><h1>Not Found</h1>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      try {
        useHub({ AWS_ENDPOINT_URL: endpoint, AWS_MAX_ATTEMPTS: '1' });
        const io = captureIo();
        expect(await main(['audit', 'list'], io)).toBe(2);
        expect(io.err()).toBe(
          `remediation-hub: the emulator at ${endpoint} answered with something that is not an AWS response: check AWS_REGION ("us-east-1") and AWS_ENDPOINT_URL (${endpoint})\n`,
        );
      } finally {
        server.close();
      }
    });
  });

  describe('consume, publish and local up', () => {
    it('on a terminal, says what it polls and how to stop; Ctrl-C exits 130 and says what it did', async () => {
      useHub();
      const io = captureIo(true);
      const running = main(['consume', '--wait-seconds', '1'], io);
      await vi.waitFor(() => expect(io.err()).toContain('polling'), { timeout: 10_000 });
      expect(io.err()).toBe(
        `polling ${up.queue.url} (long polls of 1 s); each batch is shown as it is done; Ctrl-C to stop\n`,
      );
      process.emit('SIGINT');
      expect(await running).toBe(130);
      expect(io.out()).toBe('0 message(s) processed\n');
      // The queue still holds the aborted long poll for up to its second, and would hand it the next test's
      // message (as SQS would): let it end first.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    });

    it('publish --sample puts an alert on the hub topic, and consume remediates it', async () => {
      useHub();
      const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
      const io = captureIo();
      expect(
        await main(
          [
            'publish',
            '--sample',
            '--account',
            A,
            '--region',
            'us-east-1',
            '--group',
            groupId,
            '--id',
            uniqueName('pub'),
          ],
          io,
        ),
      ).toBe(0);
      expect(io.out()).toMatch(
        new RegExp(
          `^published pub-\\S+/fail \\(evident, account ${A}, us-east-1, ${groupId}\\) to ${up.topic.arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; \`remediation-hub consume --once\` processes it\\n$`,
        ),
      );
      const consumed = captureIo();
      expect(await main(['consume', '--once'], consumed)).toBe(0);
      expect(consumed.out()).toBe('1 message(s) processed: remediated 1\n');
      expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([]);
    });

    it('publish refuses a file the hub cannot read, and sends nothing', async () => {
      useHub();
      const file = join(dir, 'bad-publish.json');
      await writeFile(file, 'nope');
      const io = captureIo();
      expect(await main(['publish', file], io)).toBe(2);
      expect(io.err()).toBe(
        `remediation-hub: ${file} is not an alert the hub can read: message is not JSON: Unexpected token 'o', "nope" is not valid JSON; nothing was recorded\n`,
      );
    });

    it('local up ends with the next steps', async () => {
      const result = await binary(['local', 'up', '--accounts', A, '--prefix', `${uniqueName('next')}-`], {
        AWS_ENDPOINT_URL: emulatorEndpoint(),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `# next, with the environment above exported: an alert about one of your groups, then the hub on the queue\n#   pnpm remediation-hub publish --sample --account ${A} --region us-east-1 --group sg-...\n#   pnpm remediation-hub consume --once\n`,
      );
    });
  });
});
