/** The runner's flags (pure): parsed, checked, and written back as the command line that reproduces a run. */
import { parseArgs } from 'node:util';

export const PARTS = ['planner', 'bundle', 'e2e', 'outcomes', 'storm'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  /** Measured alerts end to end (split over the rounds). */
  alerts: number;
  /** Member accounts the alerts are spread over (each in two regions). */
  accounts: number;
  /** Alerts of one batch processed at once (the hub's `BATCH_CONCURRENCY`), and the replay's. */
  concurrency: number;
  /** Rounds the measured alerts are split into; each runs the hub, then the SDK-only replay of its calls. */
  rounds: number;
  /**
   * Alerts of the warm-up round, left out of the figures (default: one per account and region, at least 100, so
   * that the first measured round does not pay for the JIT).
   */
  warmup: number;
  /**
   * Alerts of the storm on one account and region, passed to storm.bench.ts as `--alerts` (0: no storm); it runs
   * with K = 1, 5 and 20 consumers and a spread load over 40 accounts with 20.
   */
  storm: number;
  /** Smaller defaults (a check that everything runs, in about two minutes), for any size not given. */
  quick: boolean;
  /** The hub's log level (the Lambda's default is `info`; lines are formatted, then dropped). */
  logLevel: string;
  parts: Part[];
  /** Also write the report as JSON here. */
  json: string | undefined;
}

export const USAGE = `pnpm bench [--quick] [--alerts N] [--accounts M] [--concurrency C] [--rounds R] [--warmup W]
           [--storm S] [--log-level info] [--parts ${PARTS.join(',')}] [--json FILE]`;

const DEFAULTS = { alerts: 800, accounts: 20, concurrency: 10, rounds: 4, storm: 200, logLevel: 'info' };
const QUICK = { ...DEFAULTS, alerts: 40, accounts: 4, rounds: 2, storm: 80 };

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  // `pnpm bench -- --quick` hands the `--` on to the script: the options follow it.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean' },
      alerts: { type: 'string' },
      accounts: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      storm: { type: 'string' },
      'log-level': { type: 'string' },
      parts: { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  const defaults = quick ? QUICK : DEFAULTS;
  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new RangeError(
        `--${name} takes a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
      );
    }
    return n;
  };
  const accounts = int('accounts', values.accounts, defaults.accounts, 1, 500);
  const rounds = int('rounds', values.rounds, defaults.rounds, 1, 100);
  const alerts = int('alerts', values.alerts, defaults.alerts, rounds, 100_000);
  const parts = (values.parts ?? PARTS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || parts.length === 0) {
    throw new RangeError(`--parts takes some of ${PARTS.join(',')}, got ${JSON.stringify(values.parts)}`);
  }
  return {
    alerts,
    accounts,
    // A batch is at most 10 messages (one SQS receive): more at once would never run.
    concurrency: int('concurrency', values.concurrency, defaults.concurrency, 1, 10),
    rounds,
    warmup: int('warmup', values.warmup, Math.max(2 * accounts, quick ? 0 : 100), 0, 100_000),
    storm: int('storm', values.storm, defaults.storm, 0, 100_000),
    quick,
    logLevel: values['log-level'] ?? defaults.logLevel,
    parts: PARTS.filter((p) => parts.includes(p)),
    json: values.json,
  };
}

/** The command that runs the same benchmark again, every setting spelled out (`--json` left out). */
export function commandLine(options: BenchOptions): string {
  return [
    'pnpm bench',
    `--alerts ${options.alerts}`,
    `--accounts ${options.accounts}`,
    `--concurrency ${options.concurrency}`,
    `--rounds ${options.rounds}`,
    `--warmup ${options.warmup}`,
    `--storm ${options.storm}`,
    `--log-level ${options.logLevel}`,
    `--parts ${options.parts.join(',')}`,
  ].join(' ');
}
