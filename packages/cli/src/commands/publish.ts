import type { Finding } from '@remediation-hub/core';
import { type Command, InvalidArgumentError } from 'commander';
import { cliHubCredentials } from '../hubEnvironment.js';
import { type CliIo, CliUsageError } from '../io.js';
import { readAlertFile } from '../operations/readAlertFile.js';

interface PublishFlags {
  topicArn?: string;
  queueUrl?: string;
  sample?: boolean;
  account?: string;
  region?: string;
  group?: string;
  signature: string;
  id?: string;
  json?: boolean;
}

/**
 * `publish FILE`: puts an alert on the hub's way in, as its posture tool would: an Evident alert on the hub's
 * SNS topic (`TOPIC_ARN`, printed by `local up`), any other source's finding (a Security Hub event, a Prisma Cloud
 * alert, a scan finding) on the hub queue (`QUEUE_URL`), where EventBridge and Prisma Cloud put them. The file is
 * read and checked first: what the hub could not read is refused (exit 2) and sent nowhere. `--sample` makes
 * an Evident SSH alert about one group instead of a file.
 */
export function registerPublishCommand(program: Command, io: CliIo): void {
  program
    .command('publish')
    .description(
      "Put an alert file on the hub's topic (Evident) or queue (other sources), as the posture tool would; --sample makes one.",
    )
    .argument('[file]', 'the alert, as its tool sends it (omit with --sample)')
    .option('--topic-arn <arn>', "the hub's SNS topic (default: $TOPIC_ARN)")
    .option(
      '--queue-url <url>',
      'the hub queue, for findings that do not come through SNS (default: $QUEUE_URL)',
    )
    .option(
      '--sample',
      'publish a sample Evident alert (SSH open to the world) about --account, --region, --group',
    )
    .option('--account <id>', 'with --sample: the 12-digit account of the group', accountOption)
    .option('--region <region>', 'with --sample: the region of the group (default: $AWS_REGION)')
    .option('--group <sg-id>', 'with --sample: the security group')
    .option('--signature <id>', 'with --sample: the Evident signature', 'AWS:EC2-002')
    .option('--id <alert-id>', 'with --sample: the alert id (default: a new one)')
    .option('--json', 'print one JSON document')
    .action((file: string | undefined, flags: PublishFlags) => publish(file, flags, io));
}

async function publish(file: string | undefined, flags: PublishFlags, io: CliIo): Promise<void> {
  const { body, finding } = flags.sample ? await sample(file, flags) : await fromFile(file);
  const region = process.env.AWS_REGION;
  if (!region)
    throw new CliUsageError('no region: set AWS_REGION (the hub region), or a region for your AWS_PROFILE');
  const endpoint = process.env.AWS_ENDPOINT_URL || undefined;
  const credentials = cliHubCredentials();
  const config = { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
  const key = `${finding.id}/${finding.eventKey}`;

  let target: string;
  let messageId: string | undefined;
  if (finding.source === 'evident') {
    target = flags.topicArn ?? process.env.TOPIC_ARN ?? '';
    if (!target) {
      throw new CliUsageError(
        '--topic-arn is required for an Evident alert (or set TOPIC_ARN; `local up` prints it)',
      );
    }
    const { PublishCommand, SNSClient } = await import('@aws-sdk/client-sns');
    const sns = new SNSClient(config);
    try {
      ({ MessageId: messageId } = await sns.send(new PublishCommand({ TopicArn: target, Message: body })));
    } finally {
      sns.destroy();
    }
  } else {
    target = flags.queueUrl ?? process.env.QUEUE_URL ?? '';
    if (!target) {
      throw new CliUsageError(
        `--queue-url is required for a ${finding.source} finding, which reaches the hub queue directly (or set QUEUE_URL)`,
      );
    }
    const { SendMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient(config);
    try {
      ({ MessageId: messageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: target, MessageBody: body }),
      ));
    } finally {
      sqs.destroy();
    }
  }
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ alertId: finding.id, eventKey: finding.eventKey, source: finding.source, target, messageId }, null, 2)}\n`,
    );
    return;
  }
  io.stdout(
    `published ${key} (${finding.source}, account ${finding.accountId}, ${finding.region}, ${finding.groupId}) to ${target}; \`remediation-hub consume --once\` processes it\n`,
  );
}

async function fromFile(file: string | undefined): Promise<{ body: string; finding: Finding }> {
  if (file === undefined) throw new CliUsageError('give the alert file to publish, or --sample');
  const { body, findings } = await readAlertFile(file);
  const sources = new Set(findings.map((read) => read.finding?.source));
  const [first] = findings;
  if (first?.finding === undefined || sources.size !== 1) {
    throw new CliUsageError(`${file}: expected findings of one source`);
  }
  return { body, finding: first.finding };
}

async function sample(
  file: string | undefined,
  flags: PublishFlags,
): Promise<{ body: string; finding: Finding }> {
  if (file !== undefined) throw new CliUsageError('give either a file or --sample, not both');
  const region = flags.region ?? process.env.AWS_REGION;
  if (!flags.account || !flags.group || !region) {
    throw new CliUsageError('--sample needs --account, --group and --region (or AWS_REGION)');
  }
  const [{ makeAlert }, { parseFindings }] = await Promise.all([
    import('@remediation-hub/local'),
    import('@remediation-hub/core'),
  ]);
  const body = JSON.stringify(
    makeAlert({
      id: flags.id ?? `sample-${Date.now().toString(36)}`,
      accountId: flags.account,
      region,
      groupId: flags.group,
      signature: flags.signature,
    }),
  );
  const [read] = parseFindings(body);
  if (read?.finding === undefined) {
    throw new CliUsageError(
      `--sample: ${read?.unreadable?.error.message ?? 'the sample alert cannot be read'}`,
    );
  }
  return { body, finding: read.finding };
}

function accountOption(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got ${value}`);
  return value;
}
