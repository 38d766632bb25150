/**
 * Credentials at scale, by simulation: AssumeRole calls of C Lambda containers acting in A member accounts, each
 * container with its own credentials cache (the real StsCredentialsCache: 900 s sessions renewed 300 s before
 * they expire, one AssumeRole in flight per account), against STS's 600 requests per second per hub account.
 * Alerts arrive at `rate` per second spread evenly over the accounts, each to a container picked at random (SQS
 * hands batches to whichever container polls); every container starts cold at t = 0 (a scale-out, or a deploy).
 * Simulated time, no network: the fake STS answers at once. Prints one table (or, with --json, one object).
 *
 *   node --import tsx packages/hub-handler/bench/stsScale.bench.ts [--containers 5,20,100,1000]
 *     [--accounts 10,100,1000,10000] [--rate 50] [--hours 2] [--json]
 *
 * Columns: AssumeRole calls in the second hour (steady state), the peak calls in one second in the first minute
 * (the cold start) and after it, and the closed form 3600·rate·C·A / (600·rate + C·A) per hour: each (container,
 * account) pair uses a session for 600 s without a call, then renews it at its next use, C·A/rate seconds later on
 * average; at most 6·C·A per hour (every pair busy), at most one per alert (every pair idle).
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { StsCredentialsCache } from '../src/adapters/StsCredentialsCache.js';

const STS_LIMIT_PER_SECOND = 600;

function flags(argv: readonly string[]) {
  const value = (name: string, fallback: string) => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? fallback : (argv[index + 1] ?? fallback);
  };
  const list = (name: string, fallback: string) => value(name, fallback).split(',').map(Number);
  return {
    containers: list('containers', '5,20,100,1000'),
    accounts: list('accounts', '10,100,1000,10000'),
    rate: Number(value('rate', '50')),
    hours: Number(value('hours', '2')),
    json: argv.includes('--json'),
  };
}

interface Row {
  containers: number;
  accounts: number;
  ratePerSecond: number;
  assumeRolePerHourSteady: number;
  closedFormPerHour: number;
  peakPerSecondColdStart: number;
  peakPerSecondSteady: number;
  overStsLimit: boolean;
}

async function simulate(containers: number, accounts: number, rate: number, hours: number): Promise<Row> {
  let now = 0;
  const clock = { now: () => new Date(now) };
  const perSecond = new Map<number, number>();
  const sts = {
    send: async () => {
      const second = Math.floor(now / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      return {
        Credentials: {
          AccessKeyId: `AKIA${second}`,
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date(now + 900_000),
        },
      };
    },
  } as unknown as STSClient;
  const caches = Array.from(
    { length: containers },
    () => new StsCredentialsCache({ sts, roleName: 'member', externalId: 'external-id-1', clock }),
  );
  const ids = Array.from({ length: accounts }, (_, i) => String(100_000_000_000 + i));
  // Deterministic pseudo-random picks (mulberry32): runs are comparable.
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const total = Math.round(rate * hours * 3600);
  for (let i = 0; i < total; i++) {
    now = Math.floor((i / rate) * 1000);
    const cache = caches[Math.floor(random() * containers)] as StsCredentialsCache;
    await cache.forAccount(ids[Math.floor(random() * accounts)] as string);
  }
  let steady = 0;
  let peakCold = 0;
  let peakSteady = 0;
  for (const [second, calls] of perSecond) {
    if (second >= 3600 && second < 7200) steady += calls;
    if (second < 60) peakCold = Math.max(peakCold, calls);
    else peakSteady = Math.max(peakSteady, calls);
  }
  const pairs = containers * accounts;
  // Per (container, account) pair: a session is used without a call for 600 s, then the next use renews it.
  const closedForm = (3600 * rate * pairs) / (600 * rate + pairs);
  return {
    containers,
    accounts,
    ratePerSecond: rate,
    assumeRolePerHourSteady: steady,
    closedFormPerHour: Math.round(closedForm),
    peakPerSecondColdStart: peakCold,
    peakPerSecondSteady: peakSteady,
    overStsLimit: Math.max(peakCold, peakSteady) > STS_LIMIT_PER_SECOND,
  };
}

const f = flags(process.argv.slice(2));
const rows: Row[] = [];
for (const c of f.containers) for (const a of f.accounts) rows.push(await simulate(c, a, f.rate, f.hours));
if (f.json) {
  process.stdout.write(
    `${JSON.stringify({ bench: 'stsScale', stsLimitPerSecond: STS_LIMIT_PER_SECOND, rows })}\n`,
  );
} else {
  const header = [
    'C',
    'A',
    'alerts/s',
    'AssumeRole/h (2nd hour)',
    'closed form/h',
    'peak/s cold',
    'peak/s after',
    '> 600/s',
  ];
  const lines = rows.map((r) =>
    [
      r.containers,
      r.accounts,
      r.ratePerSecond,
      r.assumeRolePerHourSteady,
      r.closedFormPerHour,
      r.peakPerSecondColdStart,
      r.peakPerSecondSteady,
      r.overStsLimit ? 'yes' : 'no',
    ].join(' | '),
  );
  process.stdout.write(
    `${[`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l} |`)].join('\n')}\n`,
  );
}
