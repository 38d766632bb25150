import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  assumeAccount,
  awsClientConfig,
  type Emulator,
  makeAlert,
  repoRoot,
  startEmulator,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main.js';
import type { DemoResult } from '../../src/operations/runDemoScenario.js';
import {
  compareShortened,
  type DocCommand,
  docCommands,
  normalize,
  sortTableRows,
} from '../support/docCommands.js';

/**
 * The commands the pages show, run, and their output compared with the pages' (ids, ports and times
 * normalised), so that the docs cannot drift from what the CLI prints. Every `$ ` line of README.md and docs/
 * is either run here or listed below with the reason it is not, and the test fails on one that is neither.
 */
const PAGES = [
  'README.md',
  'docs/architecture.md',
  'docs/alert-format.md',
  'docs/operations.md',
  'docs/deployment.md',
];

/** The commands not run here, and why. */
const NOT_RUN: Array<{ file: string; match: RegExp; why: string }> = [
  {
    file: 'README.md',
    match: /^node --import tsx packages\/hub-handler\/bench\//,
    why: "a benchmark: minutes long, and its figures are the machine's; its output is pasted from one run",
  },
  {
    file: 'docs/deployment.md',
    match: /^(as_\w+ )?aws |^pnpm synth$|^pnpm --dir packages\/infra synth$|^tsx bin\/synth\.ts$/,
    why: 'AWS CLI and CDK steps of a deployment: packages/infra/scripts/rehearse-deployment.sh runs them against moto, and the infra tests synthesize',
  },
  {
    file: 'docs/deployment.md',
    match: /^pnpm cfn-lint /,
    why: 'packages/infra/tests/integration/cfnLint.test.ts runs the same pinned cfn-lint on the same templates',
  },
  {
    file: 'docs/deployment.md',
    match: /^pnpm remediation-hub (consume --queue-url http:\/\/127\.0\.0\.1:5055|audit show rh-test-)/,
    why: 'the deployed stack of the rehearsal (rehearse-deployment.sh)',
  },
  {
    file: 'docs/operations.md',
    match: /^pnpm remediation-hub (audit list --resource sg-953b156cbe6de373c|undo 927522700)$/,
    why: 'follows an undo made to fail by a test proxy; tests/integration/undo.test.ts runs a failed undo and its retry',
  },
  {
    file: 'docs/operations.md',
    match: /^aws sns subscribe --topic-arn "\$OUTCOME_TOPIC_ARN" /,
    why: "a subscription to the outcome topic on AWS; the demo subscribes its two queues to the emulator's topic the same way (packages/local/src/outcomeSubscription.ts), with a filter policy",
  },
  {
    file: 'docs/deployment.md',
    match:
      /^pnpm remediation-hub (doctor|local up --accounts 416934148462,|replay \/tmp\/rh\/|accounts sync )|^export |^env ALLOWED_ACCOUNTS=794820864310,/,
    why: "an organisation with OUs on the emulator's Organizations, pasted from one session; tests/integration/accounts.test.ts and doctor.test.ts run the same commands and check their outputs",
  },
  {
    file: 'docs/operations.md',
    match:
      /^pnpm remediation-hub (accounts (deny|list)|replay \/tmp\/rh\/alert-denied\.json|doctor --accounts )/,
    why: "the same organisation session as deployment.md's section 6; accounts.test.ts and doctor.test.ts run the same commands",
  },
  {
    file: 'docs/operations.md',
    match: /^aws sqs |^jq |^pnpm remediation-hub replay \/tmp\/alert-1306879999\.json$/,
    why: 'a dead letter on AWS, read with the AWS CLI',
  },
];

const run = promisify(execFile);

/** How a command of a page is run: `pnpm remediation-hub ...` and `pnpm demo` by the CLI's `main`, in process. */
function cliArgs(command: string): { env: Record<string, string>; args: string[] } | undefined {
  const match = /^(?:env )?((?:[A-Z_]+=\S* )*)pnpm (remediation-hub|demo)(.*)$/.exec(command);
  if (match === null) return undefined;
  const env = Object.fromEntries(
    (match[1] ?? '')
      .trim()
      .split(' ')
      .filter((pair) => pair !== '')
      .map((pair) => pair.split('=') as [string, string]),
  );
  const rest = (match[3] ?? '')
    .trim()
    .split(/\s+/)
    .filter((arg) => arg !== '');
  return { env, args: match[2] === 'demo' ? ['demo', ...rest] : rest };
}

async function runCli(args: string[], env: Record<string, string | undefined>): Promise<string> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  let out = '';
  let err = '';
  const io = {
    stdout: (text: string) => {
      out += text;
    },
    stderr: (text: string) => {
      err += text;
    },
    isTty: false,
  };
  try {
    await main(args, io);
  } finally {
    vi.unstubAllEnvs();
  }
  return out + err;
}

const pages = PAGES.flatMap((file) => docCommands(repoRoot(), file));
const skipped = (command: DocCommand) =>
  NOT_RUN.find((n) => n.file === command.file && n.match.test(command.command));

describe('the commands shown in the docs', () => {
  it('are each run below or listed with the reason they are not', () => {
    const offline = pages.filter((c) => skipped(c) === undefined && !RUN_BY.some((r) => r(c)));
    expect(offline.map((c) => `${c.file}:${c.line} $ ${c.command}`)).toEqual([]);
    // And no reason is kept for a command the pages no longer show.
    for (const reason of NOT_RUN)
      expect(pages.some((c) => c.file === reason.file && reason.match.test(c.command))).toBe(true);
  });

  describe('offline', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'remediation-hub-docs-'));
      // The files alert-format.md describes: SSH open to 0.0.0.0/0 and to 10.0.0.0/8, and the sample with a bad region.
      await writeFile(
        join(dir, 'sg.json'),
        JSON.stringify({
          GroupId: 'sg-xxxxxxxxxxxxxxxxx',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
            },
          ],
        }),
      );
      const bad = makeAlert({
        id: '1306879672',
        accountId: '012345678910',
        region: 'ap-northeast-1',
        groupId: 'sg-xxxxxxxxxxxxxxxxx',
      });
      for (const entry of bad.included) if (entry.type === 'regions') entry.attributes.code = 'mars_north_1';
      await writeFile(join(dir, 'bad-region.json'), JSON.stringify(bad));
      // The malformed Security Hub and Prisma Cloud samples the page refuses.
      const sample = async (path: string) =>
        JSON.parse(await readFile(join(repoRoot(), 'packages/local/samples', path), 'utf8'));
      const sh = await sample('securityhub/ec2.19-fsbp.json');
      sh.detail.findings[0].AwsAccountId = '12345';
      await writeFile(join(dir, 'bad-sh.json'), JSON.stringify(sh));
      const prisma = await sample('prisma/ssh-open.json');
      delete prisma.resourceId;
      await writeFile(join(dir, 'bad-prisma.json'), JSON.stringify(prisma));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const offline = pages.filter((c) => OFFLINE(c));
    it.each(offline.map((c) => [`${c.file}:${c.line}`, c] as const))(
      '%s prints what the page shows',
      async (_where, c) => {
        const command = c.command.replaceAll('/tmp/', `${dir}/`);
        const parsed = cliArgs(command.replaceAll(' packages/', ` ${repoRoot()}/packages/`));
        const actual =
          parsed === undefined
            ? await shell(command)
            : await runCli(parsed.args, { ...parsed.env, AWS_REGION: undefined, LEDGER_TABLE: undefined });
        const shown = actual
          .replaceAll(`${dir}/`, '/tmp/')
          .replaceAll(`${repoRoot()}/packages/`, 'packages/');
        expect(normalize(shown, new Map())).toBe(normalize(c.output.join('\n'), new Map()));
      },
    );
  });

  describe('pnpm demo, on an emulator of its own', () => {
    const demos = pages.filter((c) => c.command === 'pnpm demo');
    it.each(demos.map((c) => [`${c.file}:${c.line}`, c] as const))(
      '%s prints what the page shows',
      async (_where, c) => {
        const actual = await runCli(['demo'], { AWS_ENDPOINT_URL: '' });
        const ids = demoIds(c.output.join('\n'), actual);
        const difference = compareShortened(
          normalize(c.output.join('\n'), ids.doc),
          normalize(actual, ids.actual),
        );
        expect(difference).toBeUndefined();
      },
      120_000,
    );
  });

  describe('docs/operations.md, one session after `pnpm demo` on a fresh emulator, in the page order', () => {
    let emulator: Emulator;
    let hubEnv: Record<string, string>;
    let demo: DemoResult;
    let dir: string;
    beforeAll(async () => {
      vi.stubEnv('AWS_ENDPOINT_URL', '');
      emulator = await startEmulator();
      vi.unstubAllEnvs();
      dir = await mkdtemp(join(tmpdir(), 'remediation-hub-docs-session-'));
      demo = JSON.parse(
        await runCli(['demo', '--json'], { AWS_ENDPOINT_URL: emulator.endpoint }),
      ) as DemoResult;
      hubEnv = {
        ...demo.hubEnv,
        LOG_LEVEL: 'error',
        QUEUE_URL: demo.hub.queueUrl,
        TOPIC_ARN: demo.hub.topicArn,
      };
    }, 120_000);
    afterAll(async () => {
      vi.useRealTimers();
      await emulator?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('prints, command after command, what the page shows', async () => {
      const session = pages.filter((c) => c.file === 'docs/operations.md' && SESSION(c));
      const doc = sessionIds(session, demo);
      const problems: string[] = [];
      for (const c of session) {
        await FIXTURES[c.command]?.(dir, emulator.endpoint);
        const command = doc.toActual(c.command).replaceAll('/tmp/', `${dir}/`);
        const parsed = cliArgs(command);
        if (parsed === undefined) throw new Error(`not a CLI command: ${command}`);
        const actual = await runCli(parsed.args, { ...hubEnv, ...parsed.env });
        doc.see(actual);
        // To refresh a page after a change of output: DOCS_ACTUAL_FILE=/tmp/actual.txt, then copy from there.
        if (process.env.DOCS_ACTUAL_FILE) {
          await appendFile(process.env.DOCS_ACTUAL_FILE, `${c.file}:${c.line}\n$ ${c.command}\n${actual}\n`);
        }
        const want = sortTableRows(normalize(c.output.join('\n'), doc.docIds));
        const got = sortTableRows(normalize(actual, doc.actualIds));
        const difference = compareShortened(want, got);
        if (difference !== undefined) problems.push(`${c.file}:${c.line} $ ${c.command}\n${difference}`);
      }
      if (process.env.DOCS_ACTUAL_FILE) {
        // Each id of the page and this run's, to carry the run's ids into the page's prose and commands.
        const pairs = [...doc.docIds].flatMap(([pageId, placeholder]) => {
          const actualId = [...doc.actualIds].find(([, p]) => p === placeholder)?.[0];
          return actualId === undefined ? [] : [[pageId, actualId]];
        });
        await writeFile(`${process.env.DOCS_ACTUAL_FILE}.ids.json`, JSON.stringify(pairs));
      }
      expect(problems.join('\n\n----\n\n')).toBe('');
    }, 240_000);
  });
});

/** Commands run offline, in process or in a shell: they need no emulator. */
const OFFLINE = (c: DocCommand): boolean =>
  (c.file === 'docs/alert-format.md' &&
    /^(node --import tsx -e|pnpm remediation-hub plan )/.test(c.command)) ||
  (c.file === 'docs/operations.md' && /^pnpm remediation-hub audit list --since yesterday$/.test(c.command));

/** The commands of the operations session. */
const SESSION = (c: DocCommand): boolean =>
  c.file === 'docs/operations.md' &&
  skipped(c) === undefined &&
  !OFFLINE(c) &&
  /pnpm remediation-hub /.test(c.command);

const RUN_BY: Array<(c: DocCommand) => boolean> = [OFFLINE, SESSION, (c) => c.command === 'pnpm demo'];

async function shell(command: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', ['-c', command], {
      cwd: repoRoot(),
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return (e.stdout ?? '') + (e.stderr ?? '');
  }
}

/** The demo's ids by their place in the scenario: its N-th alert is `<alert+N>`, that alert's group `<group+N>`. */
function demoIds(
  docText: string,
  actualText: string,
): { doc: Map<string, string>; actual: Map<string, string> } {
  return { doc: tableIds(docText), actual: tableIds(actualText) };
}

/** From the demo's table (CASE SOURCE ALERT ACCOUNT REGION GROUP ...): each alert and group by its row. */
function tableIds(text: string): Map<string, string> {
  const ids = new Map<string, string>();
  const rows = text
    .split('\n')
    .filter((line) => /^\S+\s+(evident|security-hub|prisma-cloud)\s+\S+\s+\d{12}\s/.test(line));
  rows.forEach((row, index) => {
    const [, , alertId, , , groupId] = row.split(/\s+/);
    if (alertId !== undefined && !ids.has(alertId)) ids.set(alertId, `<alert+${index}>`);
    if (groupId !== undefined && /^sg-/.test(groupId) && !ids.has(groupId))
      ids.set(groupId, `<group+${index}>`);
  });
  return ids;
}

/**
 * The ids of the session: the page's demo alerts (consecutive, from the lowest of its first listing) and their
 * groups against this run's (from the demo's report), and every other group by its first appearance.
 */
function sessionIds(session: DocCommand[], demo: DemoResult) {
  const docIds = new Map<string, string>();
  const actualIds = new Map<string, string>();
  const first = session[0]?.output.join('\n') ?? '';
  // RECORDED ALERT EVENT SOURCE ACCOUNT REGION GROUP: Evident's and Prisma Cloud's ids are the demo's numbers
  // (`P-` before Prisma's), Security Hub's its finding ARN, whose demo alert is the one from that source.
  const docAlerts = [
    ...first.matchAll(/^\S+ \S+\s+(\S+)\s+\S+\s+(\S+)\s+\d{12}\s+\S+\s+(sg-[0-9a-f]{17})/gm),
  ];
  const numbered = docAlerts.filter((m) => /^(P-)?\d{9,10}$/.test(m[1] ?? ''));
  const docBase = Math.min(...numbered.map((m) => Number(m[1]?.replace('P-', ''))));
  for (const [, alertId = '', source, groupId = ''] of docAlerts) {
    const index = /^(P-)?\d{9,10}$/.test(alertId)
      ? Number(alertId.replace('P-', '')) - docBase
      : demo.alerts.findIndex((alert) => alert.source === source);
    docIds.set(alertId, `<alert+${index}>`);
    if (!docIds.has(groupId)) docIds.set(groupId, `<group+${index}>`);
  }
  demo.alerts.forEach((alert, index) => {
    if (!actualIds.has(alert.alertId)) actualIds.set(alert.alertId, `<alert+${index}>`);
    if (alert.groupId !== '' && !actualIds.has(alert.groupId))
      actualIds.set(alert.groupId, `<group+${index}>`);
  });
  // Groups the page makes later (narrow, dry-run), numbered as they first appear in the page and in the run.
  let docOthers = 0;
  const nameOthers = (text: string, ids: Map<string, string>, counter: () => number) => {
    for (const [id] of text.matchAll(/sg-[0-9a-f]{17}/g)) if (!ids.has(id)) ids.set(id, `<sg-${counter()}>`);
  };
  for (const c of session) nameOthers(c.output.join('\n'), docIds, () => docOthers++);
  let actualOthers = 0;
  return {
    docIds,
    get actualIds() {
      return actualIds;
    },
    /** Names the run's new groups as they appear; called with each output before it is compared. */
    see: (text: string) => nameOthers(text, actualIds, () => actualOthers++),
    /** A command of the page with the page's ids replaced by this run's. */
    toActual: (command: string) =>
      command
        .replace(/\b\d{9,10}\b/g, (id) => {
          const index = Number(id) - docBase;
          return index >= 0 && index < demo.alerts.length ? (demo.alerts[index]?.alertId ?? id) : id;
        })
        .replace(/sg-[0-9a-f]{17}/g, (id) => {
          const placeholder = docIds.get(id);
          const actual = [...actualIds].find(([, p]) => p === placeholder)?.[0];
          return actual ?? id;
        }),
  };
}

/** An alert file of the page, about a new group with SSH open to the world. */
async function sshAlert(dir: string, endpoint: string, id: string, accountId: string, region: string) {
  const groupId = await group(endpoint, accountId, region, [
    { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
  ]);
  const startedAt = new Date(Date.now() - 20 * 60_000);
  const doc = makeAlert({ id, accountId, region, groupId, signature: 'AWS:EC2-002', startedAt });
  await writeFile(join(dir, `alert-${id}.json`), JSON.stringify(doc));
}

/** What a command of the page needs made first: the groups and alert files the page says it used. */
const FIXTURES: Record<string, (dir: string, endpoint: string) => Promise<void>> = {
  'pnpm remediation-hub replay /tmp/alert-1016755700.json': (dir, endpoint) =>
    sshAlert(dir, endpoint, '1016755700', '111111111111', 'us-east-1'),
  'OUTCOME_TOPIC_ARN=arn:aws:sns:us-east-1:123456789012:no-such-topic pnpm remediation-hub replay /tmp/alert-1016755701.json':
    (dir, endpoint) => sshAlert(dir, endpoint, '1016755701', '222222222222', 'eu-west-1'),
  // The operator looks a minute later: `audit resend` leaves younger records to the hub.
  'pnpm remediation-hub audit resend --dry-run': async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 61_000);
  },
  'env STRATEGY=narrow pnpm remediation-hub replay /tmp/alert-1016755600.json': async (dir, endpoint) => {
    const groupId = await group(endpoint, '111111111111', 'us-east-1', [
      {
        IpProtocol: 'tcp',
        FromPort: 0,
        ToPort: 65535,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everything, by mistake' }],
      },
    ]);
    for (const [id, signature] of [
      ['1016755600', 'AWS:EC2-002'],
      ['1016755601', 'AWS:EC2-004'],
    ] as const) {
      const doc = makeAlert({ id, accountId: '111111111111', region: 'us-east-1', groupId, signature });
      await writeFile(join(dir, `alert-${id}.json`), JSON.stringify(doc));
    }
  },
  'pnpm remediation-hub scan --account 222222222222 --region us-east-1 --region eu-west-1': async (
    _dir,
    endpoint,
  ) => {
    const world = (from: number, to: number, description: string): IpPermission => ({
      IpProtocol: 'tcp',
      FromPort: from,
      ToPort: to,
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: description }],
    });
    await group(endpoint, '222222222222', 'us-east-1', [world(5432, 5432, 'reporting tool')], {
      name: 'reporting',
      tags: { 'remediation-hub:exempt': '2099-12-31' },
    });
    await group(endpoint, '222222222222', 'eu-west-1', [world(20, 21, 'old partner upload')], {
      name: 'ftp-legacy',
      tags: { 'remediation-hub:exempt': '2020-01-31' },
    });
    await group(
      endpoint,
      '222222222222',
      'eu-west-1',
      [world(3389, 3389, 'vendor support'), world(443, 443, 'web')],
      {
        name: 'ops-console',
      },
    );
  },
  'DRY_RUN_ACCOUNTS=333333333333 pnpm remediation-hub replay /tmp/alert-1306880003.json': async (
    dir,
    endpoint,
  ) => {
    const file = join(dir, 'alert-1306880003.json');
    const exists = await import('node:fs').then((fs) => fs.existsSync(file));
    if (exists) return;
    const groupId = await group(endpoint, '333333333333', 'eu-west-1', [
      {
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'analysts' }],
      },
    ]);
    const doc = makeAlert({
      id: '1306880003',
      accountId: '333333333333',
      region: 'eu-west-1',
      groupId,
      signature: 'AWS:EC2-010',
      signatureName: 'Global PostgreSQL',
    });
    await writeFile(file, JSON.stringify(doc));
  },
};

async function group(
  endpoint: string,
  accountId: string,
  region: string,
  ingress: IpPermission[],
  options: { name?: string; tags?: Record<string, string> } = {},
): Promise<string> {
  const ec2 = new EC2Client(
    awsClientConfig({ endpoint, region, credentials: await assumeAccount(accountId, { endpoint }) }),
  );
  const tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  try {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: options.name ?? `docs-${Date.now()}`,
        Description: 'a group the docs use',
        ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }] } : {}),
      }),
    );
    if (!GroupId) throw new Error('no GroupId');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: ingress }));
    return GroupId;
  } finally {
    ec2.destroy();
  }
}
