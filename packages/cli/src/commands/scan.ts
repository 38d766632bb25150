import { CONTROLS, isAwsRegion, loadConfig, type Source } from '@remediation-hub/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { renderScan, scanReport } from '../format/renderScan.js';
import { cliHubCredentials, cliLogger, integerOption } from '../hubEnvironment.js';
import { type CliIo, CliUsageError } from '../io.js';

interface ScanFlags {
  account: string;
  region: string[];
  allRegions?: boolean;
  source: Source[];
  remediate?: boolean;
  queueUrl?: string;
  pageSize: number;
  json?: boolean;
  logLevel?: string;
}

const TOOLS = ['evident', 'security-hub', 'prisma-cloud'] as const;

/**
 * `scan --account A (--region R ... | --all-regions) [--remediate]`: what the hub would do to every security
 * group of an account now (Cloud Custodian's `--dryrun`, with the hub's own planner), for the exposures that were
 * open before any posture tool raised an alert. `--remediate` sends one scan finding per exposure to the hub
 * queue, so that the ledger, idempotency, exemptions and outcome records are those of real alerts.
 */
export function registerScanCommand(program: Command, io: CliIo): void {
  program
    .command('scan')
    .description(
      "Plan every security group of an account against every control the hub knows; --remediate sends each exposure to the hub's queue.",
    )
    .requiredOption('--account <id>', 'the member account (12 digits)', accountOption)
    .option('--region <region>', 'a region to scan (repeat for several)', regionOption, [])
    .option(
      '--all-regions',
      'every region enabled in the account (those it has not enabled are listed as skipped)',
    )
    .addOption(
      new Option('--source <tool>', "only this tool's controls (repeat for several; default: all)")
        .choices(TOOLS)
        .argParser((value: string, previous: Source[] = []) => [...previous, value as Source])
        .default([]),
    )
    .option(
      '--remediate',
      'send one finding per exposure to the hub queue (the hub closes them as it would an alert)',
    )
    .option('--queue-url <url>', 'the hub queue, with --remediate (default: $QUEUE_URL)')
    .option(
      '--page-size <n>',
      'security groups per DescribeSecurityGroups page',
      integerOption('--page-size', 5, 1000),
      1000,
    )
    .option('--json', 'print one JSON document')
    .option('--log-level <level>', 'level of the JSON logs on stderr (default: $LOG_LEVEL or warn)')
    .action((flags: ScanFlags) => scan(flags, io));
}

async function scan(flags: ScanFlags, io: CliIo): Promise<void> {
  if (flags.allRegions === true && flags.region.length > 0) {
    throw new CliUsageError('give --region (one or more) or --all-regions, not both');
  }
  if (flags.allRegions !== true && flags.region.length === 0) {
    throw new CliUsageError('give the regions to scan: --region R (repeat for several) or --all-regions');
  }
  const queueUrl = flags.remediate ? flags.queueUrl || process.env.QUEUE_URL || undefined : undefined;
  if (flags.remediate && queueUrl === undefined) {
    throw new CliUsageError('--remediate sends findings to the hub queue: give --queue-url or set QUEUE_URL');
  }
  const config = loadConfig(process.env);
  const [{ createCompositionRoot }, { scanAccount }, { scanExposures, sendScanFindings }, { SQSClient }] =
    await Promise.all([
      import('@remediation-hub/hub-handler'),
      import('../operations/scanAccount.js'),
      import('../operations/sendScanFindings.js'),
      import('@aws-sdk/client-sqs'),
    ]);
  const credentials = cliHubCredentials();
  const root = createCompositionRoot({
    config,
    logger: cliLogger(flags.logLevel),
    sessionName: 'remediation-hub-scan',
    ...(credentials ? { credentials } : {}),
  });
  try {
    const standing = await root.deps.accounts.standing(flags.account);
    if (flags.remediate && standing === 'not-allowed') {
      throw new CliUsageError(
        `${flags.account} is not on the hub's allow-list (ALLOWED_ACCOUNTS): the hub would reject its findings; scan without --remediate to see what it would do there once allowed`,
      );
    }
    const now = root.clock.now();
    const sources = new Set(flags.source);
    const result = await scanAccount({
      accountId: flags.account,
      regions: flags.allRegions ? 'all' : [...new Set(flags.region)],
      hubRegion: config.region,
      credentials: root.credentials,
      ec2ClientConfig: {
        maxAttempts: config.maxAttempts,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      },
      strategy: config.strategy,
      exemptTagKey: config.exemptTagKey,
      now,
      controls: sources.size === 0 ? undefined : CONTROLS.filter((control) => sources.has(control.source)),
      pageSize: flags.pageSize,
      onProgress: (line) => {
        if (io.isTty && !flags.json) io.stderr(`… ${line}\n`);
      },
    });
    const found = scanExposures(result, now);
    let exposures = found.map(({ document: _document, ...exposure }) => exposure);
    if (flags.remediate && queueUrl !== undefined) {
      const sqs = new SQSClient({
        region: config.region,
        maxAttempts: config.maxAttempts,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
      });
      try {
        exposures = await sendScanFindings(found, {
          ledger: root.ledger,
          sqs,
          queueUrl,
          dryRun: standing === 'dry-run',
          now,
        });
      } finally {
        sqs.destroy();
      }
    }
    const report = scanReport(result, exposures, { standing, remediate: flags.remediate === true, queueUrl });
    io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderScan(report)}\n`);
  } finally {
    root.destroy();
  }
}

function accountOption(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got ${value}`);
  return value;
}

function regionOption(value: string, previous: string[] = []): string[] {
  if (!isAwsRegion(value))
    throw new InvalidArgumentError(`expected an AWS region such as eu-west-1, got ${value}`);
  return [...previous, value];
}
