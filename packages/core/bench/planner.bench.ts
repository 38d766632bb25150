/**
 * Planner throughput on the sample alert: alerts per second through parse + plan on one core; and on a
 * Security Hub event (EC2.18, consolidated) and a Prisma Cloud alert (SSH), each from its SQS body.
 * Run from the repository root: `node --import tsx packages/core/bench/planner.bench.ts [--json]` (`pnpm bench` runs it
 * as one part of the whole hub's benchmarks, with `--json`). Prints figures; it asserts nothing.
 *
 * - "from string" includes JSON.parse of the alert, as the Lambda receives an SQS body;
 * - "from object" starts from the already parsed document;
 * - JSON.parse alone is printed too, as the bound on the from-string figure.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type Finding, parseFindings, planRemediation, type SecurityGroup } from '../src/index.js';

const parseAlert = (input: unknown): Finding => parseFindings(input)[0]?.finding as Finding;

const fixture = (name: string): string =>
  readFileSync(
    new URL(`../tests/events/${name.includes('/') ? name : `evident/${name}`}`, import.meta.url),
    'utf8',
  );

const alertText = fixture('evident-ec2-002-fail.json');
const envelopeText = fixture('evident-ec2-002-fail.sns-envelope.json');
const alertObject: unknown = JSON.parse(alertText);
const groupId = parseAlert(alertObject).groupId;

/** A live group as EC2 returns it: SSH open to the world (IPv4 and IPv6) among rules that stay. */
const group: SecurityGroup = {
  GroupId: groupId,
  GroupName: 'security-automation-test',
  IpPermissions: [
    {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8', Description: 'office' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    },
    { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    {
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 65535,
      UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }],
    },
    { IpProtocol: 'icmp', FromPort: 3, ToPort: 4, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
  ],
  Tags: [{ Key: 'Name', Value: 'bench' }],
};
/** The other sources: their SQS bodies, and a group for each with the exposure open among rules that stay. */
const securityHubText = fixture('securityhub/ec2.18-consolidated.json');
const prismaText = fixture('prisma/ssh-open.json');
const otherGroup = (id: string): SecurityGroup => ({ ...group, GroupId: id });
const securityHubGroup = otherGroup(parseAlert(securityHubText).groupId);
const prismaGroup = otherGroup(parseAlert(prismaText).groupId);
const revoke = { strategy: 'revoke', exemptTagKey: 'remediation-hub:exempt', now: new Date() } as const;
const narrow = { strategy: 'narrow', exemptTagKey: 'remediation-hub:exempt', now: new Date() } as const;

if (planRemediation(parseAlert(alertText), group, revoke).decision !== 'remediate') {
  throw new Error('the bench group must need remediation');
}

let sink = 0;
const cases: Array<[string, () => void]> = [
  [
    'parse + plan, from string (JSON.parse included)',
    () => {
      sink += planRemediation(parseAlert(alertText), group, revoke).revoke.length;
    },
  ],
  [
    'parse + plan, from object',
    () => {
      sink += planRemediation(parseAlert(alertObject), group, revoke).revoke.length;
    },
  ],
  [
    'parse + plan, from SNS envelope string',
    () => {
      sink += planRemediation(parseAlert(envelopeText), group, revoke).revoke.length;
    },
  ],
  [
    'parse + plan (narrow), from object',
    () => {
      sink += planRemediation(parseAlert(alertObject), group, narrow).authorize.length;
    },
  ],
  [
    'Security Hub EC2.18 event: parse + plan, from string',
    () => {
      sink += planRemediation(parseAlert(securityHubText), securityHubGroup, revoke).revoke.length;
    },
  ],
  [
    'Prisma Cloud SSH alert: parse + plan, from string',
    () => {
      sink += planRemediation(parseAlert(prismaText), prismaGroup, revoke).revoke.length;
    },
  ],
  [
    'parse only, from object',
    () => {
      sink += parseAlert(alertObject).id.length;
    },
  ],
  [
    'JSON.parse of the alert alone',
    () => {
      sink += (JSON.parse(alertText) as { included: unknown[] }).included.length;
    },
  ],
];

/** Runs `fn` in batches for about `ms` milliseconds; returns calls per second. */
function measure(fn: () => void, ms: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 1000; i++) fn();
    calls += 1000;
    elapsed = performance.now() - start;
  }
  return (calls / elapsed) * 1000;
}

const ROUNDS = 7;
const ROUND_MS = 500;
/** `--json`: one JSON object on stdout instead of the text report (the `pnpm bench` runner reads it). */
const JSON_OUTPUT = process.argv.includes('--json');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const load = () => os.loadavg()[0]?.toFixed(2) ?? '?';
const loadAtStart = load();
const say = (line: string) => {
  if (!JSON_OUTPUT) console.log(line);
};
say(`planner throughput, sample alert AWS:EC2-002 (${alertText.length} bytes), one core`);
say(`node ${process.version}, ${cpu}, ${os.cpus().length} CPUs, load average ${loadAtStart} at start`);
say(
  `${ROUNDS} rounds of ${ROUND_MS} ms per case, cases interleaved, after a warm-up; median and best round\n`,
);

for (const [, fn] of cases) measure(fn, ROUND_MS);
const rates = cases.map((): number[] => []);
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, fn], i) => {
    rates[i]?.push(measure(fn, ROUND_MS));
  });
}

const results = cases.map(([name], i) => {
  const sorted = (rates[i] ?? []).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return { name, medianPerSecond: median, bestPerSecond: sorted[sorted.length - 1] ?? 0 };
});
const TARGET_PER_SECOND = 100_000;

if (JSON_OUTPUT) {
  console.log(
    JSON.stringify({
      alertBytes: alertText.length,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
      node: process.version,
      cpu,
      loadAverage: { start: Number(loadAtStart), end: Number(load()) },
      targetPerSecond: TARGET_PER_SECOND,
      cases: results,
      sinkOk: sink > 0,
    }),
  );
} else {
  const width = Math.max(...cases.map(([name]) => name.length));
  const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);
  for (const { name, medianPerSecond: median, bestPerSecond: best } of results) {
    console.log(
      `${name.padEnd(width)}  median ${format(median)} /s (${(1e6 / median).toFixed(2).padStart(6)} µs)  best ${format(best)} /s`,
    );
  }
  console.log(
    `\nload average ${load()} at the end; target: ${TARGET_PER_SECOND.toLocaleString('en-US')} alerts/s parse + plan (sink ${sink > 0 ? 'ok' : 'empty'})`,
  );
}
