import { ConfigurationError, type Outcome } from '@remediation-hub/core';
import { type Command, InvalidArgumentError } from 'commander';
import { type Column, renderTable } from '../format/renderTable.js';
import { cliHubCredentials, cliLogger } from '../hubEnvironment.js';
import type { CliIo } from '../io.js';
import type { AuditStats, StatsRow } from '../operations/auditStats.js';
import { parseSince } from '../operations/parseSince.js';
import type { ResendEntry, ResendReport } from '../operations/resendOutcomeEvents.js';
import type { AuditCommandContext } from './audit.js';

interface StatsOptions {
  since: string;
  table?: string;
  json?: boolean;
}

interface ResendOptions {
  since?: string;
  dryRun?: boolean;
  topicArn?: string;
  table?: string;
  json?: boolean;
}

const DEFAULT_STATS_SINCE = '24h';

/** `audit stats` and `audit resend`, under `audit`. */
export function registerAuditOutcomes(audit: Command, io: CliIo, context: AuditCommandContext): void {
  audit
    .command('stats')
    .description(
      'Counts of the records written since a time, by outcome, account, source and control (index byOutcome, no scan)',
    )
    .option('--since <when>', '30m, 24h, 7d, 2w or an ISO-8601 time', DEFAULT_STATS_SINCE)
    .option('--table <name>', 'the ledger table (default: $LEDGER_TABLE)')
    .option('--json', 'print one JSON document')
    .action(async (options: StatsOptions) => {
      const since = sinceOption(options.since, context);
      const [{ openLedger }, { auditStats }] = await Promise.all([
        import('../operations/openLedger.js'),
        import('../operations/auditStats.js'),
      ]);
      const connection = openLedger({
        tableName: options.table,
        endpoint: context.endpoint,
        env: envOf(context),
      });
      try {
        const stats = await auditStats(connection.ledger, since);
        io.stdout(options.json ? `${JSON.stringify(stats, null, 2)}\n` : `${renderStats(stats)}\n`);
      } finally {
        connection.destroy();
      }
    });

  audit
    .command('resend')
    .description(
      'Publish again the outcome events the hub could not get out (index byPendingEvent, no scan); they are marked sent',
    )
    .option('--since <when>', 'only records written since: 30m, 24h, 7d, 2w or an ISO-8601 time')
    .option('--dry-run', 'list the pending events, send nothing')
    .option('--topic-arn <arn>', 'the outcome topic (default: $OUTCOME_TOPIC_ARN)')
    .option('--table <name>', 'the ledger table (default: $LEDGER_TABLE)')
    .option('--json', 'print one JSON document')
    .action(async (options: ResendOptions) => {
      const since = options.since === undefined ? undefined : sinceOption(options.since, context);
      const env = envOf(context);
      const topicArn = options.topicArn ?? nonEmpty(env.OUTCOME_TOPIC_ARN);
      if (topicArn === undefined && options.dryRun !== true) {
        throw new ConfigurationError(
          'no outcome topic: pass --topic-arn ARN or set OUTCOME_TOPIC_ARN (the hub stack outputs it; `remediation-hub local up` prints it)',
        );
      }
      const [{ openLedger }, { resendOutcomeEvents }, hub, sns] = await Promise.all([
        import('../operations/openLedger.js'),
        import('../operations/resendOutcomeEvents.js'),
        import('@remediation-hub/hub-handler'),
        import('@aws-sdk/client-sns'),
      ]);
      const connection = openLedger({ tableName: options.table, endpoint: context.endpoint, env });
      const events = new hub.DynamoDbOutcomeEventLedger({
        client: connection.documentClient,
        tableName: connection.tableName,
      });
      const endpoint = context.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL);
      const credentials = cliHubCredentials(env);
      const client =
        topicArn === undefined
          ? undefined
          : new sns.SNSClient({
              region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
              maxAttempts: 5,
              ...(endpoint ? { endpoint } : {}),
              ...(credentials ? { credentials } : {}),
            });
      const clock = { now: () => context.now?.() ?? new Date() };
      const publisher =
        client === undefined || topicArn === undefined
          ? undefined
          : new hub.SnsOutcomePublisher({
              sns: client,
              topicArn,
              events,
              logger: cliLogger(undefined, env),
              clock,
            });
      try {
        const report = await resendOutcomeEvents(
          { events, publish: publisher ? (record) => publisher.publish(record) : undefined, clock },
          { since, dryRun: options.dryRun === true },
        );
        io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderResend(report)}\n`);
        const failed = report.entries.filter((entry) => entry.result === 'failed');
        if (failed.length > 0) {
          throw new Error(
            `${failed.length} of ${report.entries.length} outcome events could not be sent (${failed[0]?.error?.message}); they stay pending`,
          );
        }
      } finally {
        client?.destroy();
        connection.destroy();
      }
    });
}

function envOf(context: AuditCommandContext): Readonly<Record<string, string | undefined>> {
  return context.env ?? process.env;
}

function sinceOption(value: string, context: AuditCommandContext): Date {
  try {
    return parseSince(value, context.now?.() ?? new Date());
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

const outcomesOf = (counts: Partial<Record<Outcome, number>>): string =>
  Object.entries(counts)
    .sort(([a, x], [b, y]) => (y ?? 0) - (x ?? 0) || (a < b ? -1 : 1))
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ');

const rowColumns = (header: string): Column<StatsRow>[] => [
  { header, value: (row) => row.key },
  { header: 'RECORDS', value: (row) => String(row.total), align: 'right' },
  { header: 'OUTCOMES', value: (row) => outcomesOf(row.outcomes) },
];

const seconds = (value: number): string =>
  value >= 100 ? `${Math.round(value)} s` : `${value.toFixed(1)} s`;

export function renderStats(stats: AuditStats): string {
  if (stats.total === 0) return `no ledger records since ${stats.since} (index ${stats.servedBy})`;
  const outcomes = Object.entries(stats.byOutcome)
    .map(([outcome, n]) => ({ key: outcome, total: n ?? 0, outcomes: {} }))
    .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
  const ttc = stats.timeToCloseSeconds;
  return [
    renderTable(
      [
        { header: 'OUTCOME', value: (row: StatsRow) => row.key },
        { header: 'RECORDS', value: (row: StatsRow) => String(row.total), align: 'right' },
      ],
      outcomes,
    ),
    '',
    renderTable(rowColumns('ACCOUNT'), stats.byAccount),
    '',
    renderTable(rowColumns('SOURCE'), stats.bySource),
    '',
    renderTable(rowColumns('CONTROL'), stats.byControl),
    '',
    `${stats.total} record${stats.total === 1 ? '' : 's'} since ${stats.since} (index ${stats.servedBy}), ${stats.duplicateDeliveries} duplicate deliver${stats.duplicateDeliveries === 1 ? 'y' : 'ies'} counted on them`,
    ttc === undefined
      ? 'time to close: no remediated record says when its source first saw the exposure'
      : `time to close (${ttc.count} remediated): p50 ${seconds(ttc.p50)}, p95 ${seconds(ttc.p95)}, max ${seconds(ttc.max)}`,
  ].join('\n');
}

const RESEND_COLUMNS: Column<ResendEntry>[] = [
  { header: 'RECORDED', value: (e) => e.record.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
  { header: 'ALERT', value: (e) => e.record.alertId },
  { header: 'EVENT', value: (e) => (e.record.eventKey.startsWith('undo#') ? 'undo' : e.record.eventKey) },
  { header: 'ACCOUNT', value: (e) => e.record.accountId ?? '-' },
  { header: 'OUTCOME', value: (e) => e.record.outcome ?? e.record.state },
  {
    header: 'FAILED PUBLISHES',
    value: (e) => String(e.record.outcomeEvent?.failures ?? 0),
    align: 'right',
  },
  {
    header: 'RESULT',
    value: (e) =>
      e.result === 'sent'
        ? `sent ${e.messageId ?? ''}`.trim()
        : e.result === 'failed'
          ? `failed: ${e.error?.message ?? ''}`
          : e.result === 'skipped'
            ? 'skipped: being processed again'
            : 'would send',
  },
];

export function renderResend(report: ResendReport): string {
  if (report.entries.length === 0) {
    return `no outcome event pending before ${report.recordedBefore} (index ${report.servedBy})`;
  }
  const counts = new Map<string, number>();
  for (const entry of report.entries) counts.set(entry.result, (counts.get(entry.result) ?? 0) + 1);
  const summary = [...counts].map(([result, n]) => `${n} ${result}`).join(', ');
  return `${renderTable(RESEND_COLUMNS, report.entries)}\n${report.entries.length} pending outcome event${
    report.entries.length === 1 ? '' : 's'
  } written before ${report.recordedBefore}, oldest first (index ${report.servedBy}): ${summary}${
    report.dryRun ? ' (--dry-run: nothing was sent)' : ''
  }`;
}
