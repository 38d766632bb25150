import { userInfo } from 'node:os';
import { loadConfig } from '@remediation-hub/core';
import type { Command } from 'commander';
import { formatPermissions } from '../format/formatPermission.js';
import { cliHubCredentials } from '../hubEnvironment.js';
import type { CliIo } from '../io.js';
import type { UndoResult } from '../operations/undoRemediation.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface UndoCommandContext {
  env?: Env;
  /** Overrides `AWS_ENDPOINT_URL` for every client (tests put a recording proxy here). */
  endpoint?: string;
}

interface UndoOptions {
  status?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * `undo ALERT_ID`: re-authorizes exactly what a remediation revoked (and revokes what `narrow`
 * authorized) through the member role, and records a `reverted` event linked to the original. The undo
 * claims the remediation in the ledger before it touches the group; a failed undo is recorded as `failed`
 * and can be run again.
 * Uses the hub's own configuration (`LEDGER_TABLE`, `MEMBER_ROLE_NAME`, `MEMBER_EXTERNAL_ID`, ...).
 */
export function registerUndo(program: Command, io: CliIo, context: UndoCommandContext = {}): void {
  program
    .command('undo')
    .description('Restore what one remediation revoked, and record that as its own `reverted` event.')
    .argument('<alert-id>', 'the Evident alert id (data.id) of the remediation')
    .option('--status <status>', 'which notification of the alert (fail, warn), when several were remediated')
    .option('--dry-run', 'print what would change, change nothing')
    .option(
      '--force',
      'undo even when later remediations of the same group were not undone (it may reopen what they closed)',
    )
    .option('--json', 'print one JSON document')
    .action(async (alertId: string, options: UndoOptions) => {
      const env = context.env ?? process.env;
      const config = loadConfig(env);
      const credentials = cliHubCredentials(env);
      // The SDK loads only when the command runs: `--help` and the other commands stay quick.
      const [{ createCompositionRoot, createLogger, DynamoDbRevertRecorder }, { undoRemediation }] =
        await Promise.all([
          import('@remediation-hub/hub-handler'),
          import('../operations/undoRemediation.js'),
        ]);
      const root = createCompositionRoot({
        config,
        ...(credentials ? { credentials } : {}),
        logger: createLogger({ destination: 'stderr', level: 'warn' }),
        sessionName: 'remediation-hub-undo',
        ...(context.endpoint ? { endpoint: context.endpoint } : {}),
      });
      try {
        const result = await undoRemediation(
          {
            ledger: root.ledger,
            gateway: root.gateway,
            clock: root.clock,
            roleArnFor: (accountId) => root.credentials.roleArnFor(accountId),
            recorder: new DynamoDbRevertRecorder({
              client: root.documentClient,
              tableName: config.ledgerTable,
              outcomeEvents: root.outcomes !== undefined,
            }),
            // With OUTCOME_TOPIC_ARN, the undo event goes to the outcome topic like the hub's own.
            listeners: root.outcomes ? [root.outcomes.publisher] : [],
          },
          {
            alertId,
            status: options.status,
            dryRun: options.dryRun === true,
            force: options.force === true,
            actor: actor(),
          },
        );
        io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderUndo(result)}\n`);
      } finally {
        root.destroy();
      }
    });
}

const WITH_DESCRIPTIONS = { descriptions: true } as const;

/** Wide enough for the longest label, `ingress would be:`. */
const LABEL_WIDTH = 18;

export function renderUndo(result: UndoResult): string {
  const { original, target } = result;
  const lines = [
    `${result.dryRun ? 'dry run: would undo' : 'undid'} ${original.alertId} (${original.eventKey}, ${original.outcome === 'failed' ? 'failed part-way' : 'remediated'} ${original.recordedAt})`,
    `  ${'group:'.padEnd(LABEL_WIDTH)}${target.groupId} in ${target.accountId} ${target.region}`,
  ];
  const list = (title: string, entries: readonly string[]) => {
    const [first, ...rest] = entries.length > 0 ? entries : ['(none)'];
    lines.push(`  ${`${title}:`.padEnd(LABEL_WIDTH)}${first}`);
    for (const entry of rest) lines.push(`  ${''.padEnd(LABEL_WIDTH)}${entry}`);
  };
  // What this run changed; what EC2 already had (a retry after a failed undo) is listed apart.
  const skipped = new Set([...result.alreadyPresent, ...result.alreadyAbsent]);
  list(
    result.dryRun ? 'would authorize' : 're-authorized',
    formatPermissions(
      result.authorize.filter((p) => !skipped.has(p)),
      WITH_DESCRIPTIONS,
    ),
  );
  if (result.revoke.length > 0)
    list(
      result.dryRun ? 'would revoke' : 'revoked',
      formatPermissions(
        result.revoke.filter((p) => !skipped.has(p)),
        WITH_DESCRIPTIONS,
      ),
    );
  if (result.alreadyPresent.length > 0)
    list('already present', formatPermissions(result.alreadyPresent, WITH_DESCRIPTIONS));
  if (result.alreadyAbsent.length > 0)
    list('already gone', formatPermissions(result.alreadyAbsent, WITH_DESCRIPTIONS));
  list('ingress before', formatPermissions(result.permissionsBefore, WITH_DESCRIPTIONS));
  if (result.permissionsAfter !== undefined) {
    list(
      result.dryRun ? 'ingress would be' : 'ingress after',
      formatPermissions(result.permissionsAfter, WITH_DESCRIPTIONS),
    );
  } else {
    lines.push(`  ${'ingress after:'.padEnd(LABEL_WIDTH)}(could not be read; see the event's reason)`);
  }
  if (result.laterRemediations.length > 0) {
    list(
      result.dryRun ? 'would force past' : 'forced past',
      result.laterRemediations.map(
        (r) => `${r.alertId} (${r.eventKey}, ${r.outcome} ${r.recordedAt}), not undone`,
      ),
    );
  }
  if (result.tookOver) {
    lines.push(
      result.dryRun
        ? `  ${'would take over:'.padEnd(LABEL_WIDTH)}${result.tookOver.eventKey} (an undo that stopped before finishing)`
        : `  ${'took over:'.padEnd(LABEL_WIDTH)}${result.tookOver.eventKey} (an undo that stopped before finishing; recorded as failed)`,
    );
  }
  if (result.event) {
    lines.push(`  ${'recorded:'.padEnd(LABEL_WIDTH)}${result.event.eventKey} (outcome reverted)`);
    if (result.requestIds.length > 0) list('request ids', result.requestIds);
  } else {
    lines.push('  nothing was changed (--dry-run)');
  }
  return lines.join('\n');
}

function actor(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
