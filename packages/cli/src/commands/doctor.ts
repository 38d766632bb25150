import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type Column, renderTable } from '../format/renderTable.js';
import { CliExit, type CliIo } from '../io.js';
import type { AccountProbe, DoctorCheck, DoctorReport } from '../operations/runDoctor.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface DoctorCommandContext {
  env?: Env;
  /** Overrides `AWS_ENDPOINT_URL` (tests put a recording proxy here). */
  endpoint?: string;
}

interface DoctorFlags {
  accounts: 'all' | string[];
  queueUrl?: string;
  json?: boolean;
}

/**
 * `doctor [--accounts all|IDS] [--json]`: what an operator runs after onboarding an OU. Exit 0 when everything is
 * healthy, 1 on any problem (each named), 2 when the command itself could not run.
 */
export function registerDoctor(program: Command, io: CliIo, context: DoctorCommandContext = {}): void {
  program
    .command('doctor')
    .description(
      'Check the hub: configuration, ledger and registry tables and their indexes, queue and dead letters, OUs, and the member role of each account (AssumeRole with the external id, DescribeSecurityGroups, a dry-run RevokeSecurityGroupIngress). Exit 1 on any problem.',
    )
    .option(
      '--accounts <all|ids>',
      'which accounts to try: all the hub may act in, or comma-separated ids',
      accountsOption,
      'all',
    )
    .option(
      '--queue-url <url>',
      'the hub queue (default: $QUEUE_URL; its dead-letter queue is found from it)',
    )
    .option('--json', 'print one JSON document')
    .action(async (flags: DoctorFlags) => {
      const { runDoctor } = await import('../operations/runDoctor.js');
      const report = await runDoctor({
        env: context.env ?? process.env,
        accounts: flags.accounts,
        queueUrl: flags.queueUrl,
        endpoint: context.endpoint,
        onProgress: (line) => {
          if (io.isTty) io.stderr(`${line}\n`);
        },
      });
      io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
      if (!report.healthy) throw new CliExit(1);
    });
}

const CHECK_COLUMNS: Column<DoctorCheck>[] = [
  { header: 'CHECK', value: (c) => c.check },
  { header: 'RESULT', value: (c) => (c.status === 'problem' ? 'PROBLEM' : c.status) },
  { header: 'DETAIL', value: (c) => c.detail },
];

const ACCOUNT_COLUMNS: Column<AccountProbe>[] = [
  { header: 'ACCOUNT', value: (a) => a.accountId },
  { header: 'STANDING', value: (a) => a.standing },
  { header: 'FROM', value: (a) => a.source ?? '-' },
  { header: 'ASSUME', value: (a) => a.assume },
  { header: 'DESCRIBE', value: (a) => a.describe },
  { header: 'REVOKE(DRY)', value: (a) => a.revoke },
  { header: 'PROBLEM', value: (a) => a.problem ?? '-' },
];

export function renderDoctor(report: DoctorReport): string {
  const lines = [renderTable(CHECK_COLUMNS, report.checks)];
  if (report.accounts.length > 0) {
    const shown = report.accounts.filter((a) => a.problem !== undefined);
    if (shown.length > 0) lines.push('', renderTable(ACCOUNT_COLUMNS, shown));
  }
  const problems = report.checks.filter((c) => c.status === 'problem').length;
  lines.push(
    '',
    report.healthy
      ? `healthy: ${report.checks.length} checks, ${report.accounts.length} member account(s) tried`
      : `${problems} problem${problems === 1 ? '' : 's'}: ${report.checks
          .filter((c) => c.status === 'problem')
          .map((c) => c.check)
          .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}

function accountsOption(value: string): 'all' | string[] {
  if (value === 'all') return 'all';
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`expected all or comma-separated 12-digit account ids, got ${value}`);
  }
  return [...new Set(ids)];
}
