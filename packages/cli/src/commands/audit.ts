import {
  type Ledger,
  type LedgerRecord,
  OUTCOMES,
  type Outcome,
  SOURCES,
  type Source,
} from '@remediation-hub/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { renderRecord } from '../format/renderRecord.js';
import { type Column, renderTable } from '../format/renderTable.js';
import type { CliIo } from '../io.js';
import { parseSince } from '../operations/parseSince.js';
import { registerAuditOutcomes } from './auditOutcomes.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AuditCommandContext {
  env?: Env;
  /** Overrides `AWS_ENDPOINT_URL` (tests route the ledger through a recording proxy). */
  endpoint?: string;
  now?: () => Date;
}

interface ListOptions {
  stuck?: boolean;
  account?: string;
  region?: string;
  resource?: string;
  outcome?: Outcome;
  source?: Source;
  since?: string;
  limit: number;
  table?: string;
  json?: boolean;
}

interface ShowOptions {
  table?: string;
  json?: boolean;
}

const DEFAULT_LIMIT = 50;
/** A second delivery is counted on the record it repeats (`duplicateDeliveries`), never recorded as one. */
const RECORDED_OUTCOMES = OUTCOMES.filter((outcome) => outcome !== 'duplicate');

/** `audit list` and `audit show`: what the hub did, from the ledger, answered by its indexes. */
export function registerAudit(program: Command, io: CliIo, context: AuditCommandContext = {}): void {
  const audit = program
    .command('audit')
    .description(
      'What the hub did: list ledger records by account, region, resource, outcome and time, or show one',
    );
  // `audit stats` and `audit resend` (outcome events): auditOutcomes.ts.
  registerAuditOutcomes(audit, io, context);

  audit
    .command('list')
    .description('Ledger records, newest first, served by the ledger indexes (never a table scan).')
    .option('--account <id>', 'only this AWS account (12 digits)', accountId)
    .option('--region <region>', 'only this region, e.g. eu-west-1', region)
    .option('--resource <sg-id>', 'only this security group', groupId)
    .addOption(new Option('--outcome <outcome>', 'only this outcome').choices(RECORDED_OUTCOMES))
    .addOption(
      new Option('--source <source>', 'only findings of this posture tool (bySource index)').choices(SOURCES),
    )
    .option('--since <when>', 'only records written since: 30m, 24h, 7d, 2w or an ISO-8601 time')
    .option(
      '--stuck',
      'only records still in progress whose lease has expired (an attempt that died or was released, and whose message may not come back), oldest first',
    )
    .option('--limit <n>', 'at most this many records', limit, DEFAULT_LIMIT)
    .option('--table <name>', 'the ledger table (default: $LEDGER_TABLE)')
    .option('--json', 'print one JSON document instead of a table')
    .action(async (options: ListOptions) => {
      const now = context.now?.() ?? new Date();
      let since: Date | undefined;
      if (options.since !== undefined) {
        try {
          since = parseSince(options.since, now);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      }
      if (
        options.stuck &&
        [options.account, options.region, options.resource, options.outcome, options.source, since].some(
          (f) => f !== undefined,
        )
      ) {
        throw new InvalidArgumentError(
          '--stuck lists every account, region and group: it takes only --limit',
        );
      }
      await withLedger(context, options.table, async (ledger) => {
        const { listAuditRecords } = await import('../operations/listAuditRecords.js');
        const { records, servedBy } = options.stuck
          ? { records: await ledger.listExpiredLeases(now, options.limit), servedBy: 'byLease' }
          : await listAuditRecords(ledger, {
              accountId: options.account,
              region: options.region,
              resourceId: options.resource,
              outcome: options.outcome,
              source: options.source,
              since,
              limit: options.limit,
            });
        if (options.json) {
          io.stdout(`${JSON.stringify({ servedBy, count: records.length, records }, null, 2)}\n`);
          return;
        }
        if (records.length === 0) {
          io.stdout(`no ledger records match (index ${servedBy})\n`);
          return;
        }
        io.stdout(`${renderTable(options.stuck ? STUCK_COLUMNS : LIST_COLUMNS, records)}\n`);
        io.stdout(
          `${records.length} record${records.length === 1 ? '' : 's'}, ${options.stuck ? 'lease expired, oldest first' : 'newest first'} (index ${servedBy})${
            records.length === options.limit ? `; --limit ${options.limit} reached` : ''
          }\n`,
        );
      });
    });

  audit
    .command('show')
    .description(
      'Every ledger record of one alert: notifications and undo events, with permissions before and after',
    )
    .argument('<alert-id>', "the finding's id: Evident data.id, Security Hub Id, Prisma Cloud alertId")
    .option('--table <name>', 'the ledger table (default: $LEDGER_TABLE)')
    .option('--json', 'print one JSON document')
    .action(async (alertId: string, options: ShowOptions) => {
      await withLedger(context, options.table, async (ledger, table) => {
        const records = await ledger.listByAlert(alertId);
        if (records.length === 0) {
          throw new Error(`no ledger record for alert ${alertId} in table ${table}`);
        }
        if (options.json) {
          io.stdout(`${JSON.stringify({ alertId, records }, null, 2)}\n`);
          return;
        }
        io.stdout(`${records.map(renderRecord).join('\n\n')}\n`);
      });
    });
}

async function withLedger(
  context: AuditCommandContext,
  tableName: string | undefined,
  run: (ledger: Ledger, tableName: string) => Promise<void>,
): Promise<void> {
  // The SDK loads only when the command runs: `--help` and the other commands stay quick.
  const { openLedger } = await import('../operations/openLedger.js');
  const connection = openLedger({ tableName, endpoint: context.endpoint, env: context.env ?? process.env });
  try {
    await run(connection.ledger, connection.tableName);
  } finally {
    connection.destroy();
  }
}

const LIST_COLUMNS: Column<LedgerRecord>[] = [
  { header: 'RECORDED', value: (r) => r.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
  { header: 'ALERT', value: (r) => r.alertId },
  { header: 'EVENT', value: (r) => (r.eventKey.startsWith('undo#') ? 'undo' : r.eventKey) },
  // Records from before the hub read other sources carry none: they are Evident's.
  { header: 'SOURCE', value: (r) => r.source ?? 'evident' },
  { header: 'ACCOUNT', value: (r) => r.accountId ?? '-' },
  { header: 'REGION', value: (r) => r.region ?? '-' },
  { header: 'GROUP', value: (r) => r.resourceId ?? '-' },
  { header: 'CONTROL', value: (r) => r.signature?.identifier ?? '-' },
  { header: 'OUTCOME', value: (r) => r.outcome ?? r.state },
  { header: 'CHANGES', value: changes },
];

/** In-progress records whose lease expired: when, how many attempts, and the last error. */
const STUCK_COLUMNS: Column<LedgerRecord>[] = [
  {
    header: 'LEASE EXPIRED',
    value: (r) =>
      new Date(r.leaseExpiresAt ?? 0)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z'),
  },
  ...LIST_COLUMNS.filter((column) =>
    ['ALERT', 'EVENT', 'ACCOUNT', 'REGION', 'GROUP'].includes(column.header),
  ),
  { header: 'ATTEMPTS', value: (r) => String(r.attempts) },
  { header: 'LAST ERROR', value: (r) => r.error?.name ?? '-' },
];

function changes(record: LedgerRecord): string {
  const parts: string[] = [];
  const isUndo = record.eventKey.startsWith('undo#');
  if (isUndo && record.authorized.length > 0) parts.push(`re-authorized ${record.authorized.length}`);
  if (record.revoked.length > 0) parts.push(`revoked ${record.revoked.length}`);
  if (!isUndo && record.authorized.length > 0) parts.push(`authorized ${record.authorized.length}`);
  if (record.outcome === 'dry-run' && record.plan) parts.push(`would revoke ${record.plan.revoke.length}`);
  if (record.revertedBy) parts.push('undone');
  return parts.length > 0 ? parts.join(', ') : '-';
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got ${value}`);
  return value;
}

function region(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) {
    throw new InvalidArgumentError(`expected an AWS region such as eu-west-1, got ${value}`);
  }
  return value;
}

function groupId(value: string): string {
  if (!/^sg-[0-9a-f]{1,17}$/.test(value)) {
    throw new InvalidArgumentError(`expected a security group id such as sg-0123abcd, got ${value}`);
  }
  return value;
}

function limit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) {
    throw new InvalidArgumentError(`expected a whole number from 1 to 10000, got ${value}`);
  }
  return n;
}
