import type { LocalUpResult } from '@remediation-hub/local';
import type { Command } from 'commander';
import { cliHubCredentials, integerOption } from '../hubEnvironment.js';
import { type CliIo, CliUsageError } from '../io.js';

interface LocalUpFlags {
  accounts: string;
  json?: boolean;
  prefix?: string;
  region?: string;
  externalId?: string;
  ledgerTable?: string;
  registry?: boolean;
  visibilityTimeout: number;
  maxReceiveCount: number;
}

export function registerLocalUpCommand(program: Command, io: CliIo): void {
  const local =
    program.commands.find((c) => c.name() === 'local') ??
    program.command('local').description('A hub on the local AWS emulator (AWS_ENDPOINT_URL).');
  local
    .command('up')
    .description(
      'Create the hub (topic, queue + DLQ, subscription, ledger table) and a member role in each account on the emulator.',
    )
    .requiredOption('--accounts <ids>', 'member accounts, comma-separated 12-digit ids')
    .option('--json', 'print the result as JSON')
    .option('--prefix <prefix>', 'prefix of the hub resource names (isolates several hubs)')
    .option('--region <region>', 'the hub region (default: $AWS_REGION or us-east-1)')
    .option(
      '--external-id <id>',
      "the member roles' external id (default: kept from the last run, else random)",
    )
    .option(
      '--ledger-table <name>',
      'the ledger table (default: $LEDGER_TABLE or <prefix>remediation-hub-ledger)',
    )
    .option('--registry', 'also create the account registry table and give the hub ACCOUNT_REGISTRY_TABLE')
    .option(
      '--visibility-timeout <seconds>',
      "the hub queue's visibility timeout",
      integerOption('--visibility-timeout', 0, 43_200),
      30,
    )
    .option(
      '--max-receive-count <n>',
      'receives before a message moves to the dead-letter queue',
      integerOption('--max-receive-count', 1, 1000),
      5,
    )
    .action((flags: LocalUpFlags) => up(flags, io));
}

async function up(flags: LocalUpFlags, io: CliIo): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new CliUsageError(
      'local up only runs against an emulator: set AWS_ENDPOINT_URL (e.g. http://127.0.0.1:5000)',
    );
  }
  const { localUp } = await import('@remediation-hub/local');
  const credentials = cliHubCredentials();
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const ledgerTable = flags.ledgerTable ?? (process.env.LEDGER_TABLE || undefined);
  const result = await localUp({
    accounts: flags.accounts.split(','),
    endpoint,
    region,
    ...(credentials ? { credentials } : {}),
    ...(flags.prefix ? { prefix: flags.prefix } : {}),
    ...(ledgerTable ? { ledgerTable } : {}),
    ...(flags.externalId ? { externalId: flags.externalId } : {}),
    ...(flags.registry ? { accountRegistry: true } : {}),
    visibilityTimeoutSeconds: flags.visibilityTimeout,
    maxReceiveCount: flags.maxReceiveCount,
    onProgress: (line) => {
      if (io.isTty) io.stderr(`${line}\n`);
    },
  });
  io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
}

function describe(result: LocalUpResult): string {
  const lines = [
    `hub account       ${result.hubAccountId} (${result.region}, ${result.endpoint})`,
    `topic             ${result.topic.arn}`,
    `queue             ${result.queue.url}`,
    `dead-letter queue ${result.deadLetterQueue.url} (after ${result.deadLetterQueue.maxReceiveCount} receives)`,
    `subscription      ${result.subscriptionArn} (raw delivery)`,
    `ledger table      ${result.ledgerTable.name}`,
    ...(result.accountRegistryTable ? [`registry table    ${result.accountRegistryTable.name}`] : []),
    `external id       ${result.externalId} (${result.externalIdSource})`,
    ...result.memberRoles.map((r) => `member role       ${r.roleArn}`),
    '',
    '# the environment `consume`, `publish`, `replay`, `scan`, `audit` and `undo` need:',
    ...Object.entries(result.env).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    '',
    ...nextSteps(result),
    '',
  ];
  return lines.join('\n');
}

/** What to do next, as comments: the output stays a script that can be pasted. */
function nextSteps(result: LocalUpResult): string[] {
  const [member] = result.memberRoles;
  const account = member?.accountId ?? 'ACCOUNT';
  return [
    '# next, with the environment above exported: an alert about one of your groups, then the hub on the queue',
    `#   pnpm remediation-hub publish --sample --account ${account} --region ${result.region} --group sg-...`,
    '#   pnpm remediation-hub consume --once',
    `#   pnpm remediation-hub audit list --account ${account}`,
  ];
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
