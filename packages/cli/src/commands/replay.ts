import { randomUUID } from 'node:crypto';
import { loadConfig } from '@remediation-hub/core';
import type { AlertResult } from '@remediation-hub/hub-handler';
import { localLambdaContext, syntheticSqsRecord } from '@remediation-hub/local';
import type { Command } from 'commander';
import { cliHubCredentials, cliLogger } from '../hubEnvironment.js';
import { CliExit, type CliIo } from '../io.js';
import { readAlertFile } from '../operations/readAlertFile.js';
import { replayExitCode, resultDetail } from '../operations/replayResult.js';

interface ReplayFlags {
  json?: boolean;
  logLevel?: string;
}

export function registerReplayCommand(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      'Process one finding file (Evident document or SNS envelope, Security Hub event or finding, Prisma Cloud alert) through the hub now; exit 0, or 3 rejected, 4 failed, 5 resource-gone, 6 retry later.',
    )
    .argument('<file>', 'the finding as its source sends it')
    .option('--json', 'print the result as JSON')
    .option('--log-level <level>', 'level of the JSON logs on stderr (default: $LOG_LEVEL or warn)')
    .action((file: string, flags: ReplayFlags) => replay(file, flags, io));
}

async function replay(file: string, flags: ReplayFlags, io: CliIo): Promise<void> {
  // Bad input is refused here, in one line and exit 2, before the hub records anything.
  const { body } = await readAlertFile(file);
  const config = loadConfig(process.env);
  // The SDK loads only when the command runs: `--help` and the other commands stay quick.
  const { createCompositionRoot, createLambdaHandler } = await import('@remediation-hub/hub-handler');
  const credentials = cliHubCredentials();
  const root = createCompositionRoot({
    config,
    logger: cliLogger(flags.logLevel),
    ...(credentials ? { credentials } : {}),
  });
  try {
    let results: AlertResult[] = [];
    const handler = createLambdaHandler(root, { onBatch: (batch) => (results = batch.results) });
    const messageId = `replay-${randomUUID()}`;
    await handler(
      {
        Records: [
          syntheticSqsRecord({
            messageId,
            body,
            senderId: 'remediation-hub-replay',
            eventSource: 'remediation-hub:replay',
            eventSourceARN: `file:${file}`,
            awsRegion: config.region,
          }),
        ],
      },
      localLambdaContext('remediation-hub-replay'),
    );
    const [result] = results;
    if (!result) throw new Error('the handler returned no result');
    if (flags.json) {
      io.stdout(`${JSON.stringify(results.length === 1 ? result : results, null, 2)}\n`);
    } else {
      for (const each of results) {
        const where = each.accountId ? ` (account ${each.accountId}, ${each.region}, ${each.groupId})` : '';
        const why =
          each.outcome === 'retry'
            ? `: not processed, retry later: ${each.error?.message ?? 'retryable error'}`
            : await resultDetail(each, root.ledger);
        const what = `${each.source ?? 'unknown source'}${each.control ? ` ${each.control}` : ''}`;
        io.stdout(
          `${each.alertId ?? messageId}/${each.eventKey ?? '-'}: ${each.outcome} [${what}]${where}${why}\n`,
        );
      }
    }
    const code = replayExitCode(results);
    if (code !== 0) throw new CliExit(code);
  } finally {
    root.destroy();
  }
}
