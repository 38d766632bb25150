import { loadConfig } from '@remediation-hub/core';
import type { AlertResult } from '@remediation-hub/hub-handler';
import { localLambdaContext } from '@remediation-hub/local';
import type { Command } from 'commander';
import { cliHubCredentials, cliLogger, integerOption } from '../hubEnvironment.js';
import { CliExit, type CliIo, CliUsageError } from '../io.js';

interface ConsumeFlags {
  queueUrl?: string;
  once?: boolean;
  waitSeconds?: number;
  retryDelay?: number;
  json?: boolean;
  logLevel?: string;
}

export function registerConsumeCommand(program: Command, io: CliIo): void {
  program
    .command('consume')
    .description('Poll the hub queue and run each batch through the hub handler, as Lambda would.')
    .option('--queue-url <url>', 'the hub queue (default: $QUEUE_URL)')
    .option('--once', 'return when the queue is empty')
    .option(
      '--wait-seconds <n>',
      'long-poll wait of each receive (default: 20, 1 with --once)',
      integerOption('--wait-seconds', 0, 20),
    )
    .option(
      '--retry-delay <seconds>',
      'seconds before a failed message comes back (default: LEASE_SECONDS + 10, so a claim a failed attempt still holds has expired by then; shorter retries meet it and may reach the dead-letter queue)',
      integerOption('--retry-delay', 0, 43_200),
    )
    .option('--json', 'print a JSON summary on stdout')
    .option('--log-level <level>', 'level of the JSON logs on stderr (default: $LOG_LEVEL or warn)')
    .action((flags: ConsumeFlags) => consume(flags, io));
}

async function consume(flags: ConsumeFlags, io: CliIo): Promise<void> {
  const queueUrl = flags.queueUrl ?? process.env.QUEUE_URL;
  if (!queueUrl) throw new CliUsageError('--queue-url is required (or set QUEUE_URL)');
  const config = loadConfig(process.env);
  // The SDK loads only when the command runs: `--help` and the other commands stay quick.
  const [{ SQSClient }, { countOutcomes, createCompositionRoot, createLambdaHandler }, { consumeQueue }] =
    await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('@remediation-hub/hub-handler'),
      import('@remediation-hub/local'),
    ]);
  const credentials = cliHubCredentials();
  const root = createCompositionRoot({
    config,
    logger: cliLogger(flags.logLevel),
    ...(credentials ? { credentials } : {}),
  });
  const results: AlertResult[] = [];
  const handler = createLambdaHandler(root, { onBatch: (batch) => results.push(...batch.results) });
  const sqs = new SQSClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  const waitSeconds = flags.waitSeconds ?? (flags.once ? 1 : 20);
  if (io.isTty) {
    io.stderr(
      `polling ${queueUrl} (long polls of ${waitSeconds} s${flags.once ? ', until it is empty' : ''}); each batch is shown as it is done; Ctrl-C to stop\n`,
    );
  }
  try {
    const summary = await consumeQueue({
      sqs,
      queueUrl,
      handle: (event) => handler(event, localLambdaContext('remediation-hub-consume')),
      once: flags.once === true,
      waitTimeSeconds: waitSeconds,
      retryDelaySeconds: flags.retryDelay ?? config.leaseSeconds + 10,
      region: config.region,
      signal: stop.signal,
      onBatch: ({ received, deleted, returned }) => {
        if (io.isTty) io.stderr(`batch: ${received} received, ${deleted} done, ${returned} sent back\n`);
      },
      onWarning: (message, error) => root.logger.warn({ err: error }, message),
    }).catch((error: unknown) => {
      if (stop.signal.aborted) return undefined;
      throw error;
    });
    const outcomes = countOutcomes(results);
    if (flags.json) {
      io.stdout(`${JSON.stringify({ queueUrl, ...(summary ?? {}), outcomes, results }, null, 2)}\n`);
    } else {
      const counts = Object.entries(outcomes)
        .map(([outcome, n]) => `${outcome} ${n}`)
        .join(', ');
      io.stdout(`${results.length} message(s) processed${counts ? `: ${counts}` : ''}\n`);
    }
    // Stopped by Ctrl-C: what was done is printed above; the exit code says it was interrupted.
    if (stop.signal.aborted) throw new CliExit(130);
  } finally {
    process.off('SIGINT', onSigint);
    sqs.destroy();
    root.destroy();
  }
}
