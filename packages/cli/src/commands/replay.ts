import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '@remediation-hub/core';
import type { AlertResult } from '@remediation-hub/hub-handler';
import { localLambdaContext, syntheticSqsRecord } from '@remediation-hub/local';
import type { Command } from 'commander';
import { cliHubCredentials, cliLogger } from '../hubEnvironment.js';
import type { CliIo } from '../io.js';

interface ReplayFlags {
  json?: boolean;
  logLevel?: string;
}

export function registerReplayCommand(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      'Process one finding file (Evident document or SNS envelope, Security Hub event or finding, Prisma Cloud alert) through the hub now.',
    )
    .argument('<file>', 'the finding as its source sends it')
    .option('--json', 'print the result as JSON')
    .option('--log-level <level>', 'level of the JSON logs on stderr (default: $LOG_LEVEL or warn)')
    .action((file: string, flags: ReplayFlags) => replay(file, flags, io));
}

async function replay(file: string, flags: ReplayFlags, io: CliIo): Promise<void> {
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
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
    let result: AlertResult | undefined;
    const handler = createLambdaHandler(root, { onBatch: (batch) => (result = batch.results[0]) });
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
    if (!result) throw new Error('the handler returned no result');
    if (result.outcome === 'retry') {
      throw new Error(`not processed, retry later: ${result.error?.message ?? 'retryable error'}`);
    }
    if (flags.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const where = result.accountId
      ? ` (account ${result.accountId}, ${result.region}, ${result.groupId})`
      : '';
    const why = result.error ? `: ${result.error.message}` : '';
    const what = `${result.source ?? 'unknown source'}${result.control ? ` ${result.control}` : ''}`;
    io.stdout(
      `${result.alertId ?? messageId}/${result.eventKey ?? '-'}: ${result.outcome} [${what}]${where}${why}\n`,
    );
  } finally {
    root.destroy();
  }
}
