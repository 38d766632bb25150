/**
 * The no-logic client: sends recorded calls again with the same SDK clients the hub uses (the document client for
 * DynamoDB, per-account EC2 clients), and nothing else: no parsing, planning, ledger or retries of its own. Its CPU
 * for a set of calls is what the AWS SDK alone spends on them; its throughput at the hub's concurrency is the
 * emulator's bound.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as ec2Module from '@aws-sdk/client-ec2';
import * as snsModule from '@aws-sdk/client-sns';
import * as sqsModule from '@aws-sdk/client-sqs';
import * as stsModule from '@aws-sdk/client-sts';
import * as documentModule from '@aws-sdk/lib-dynamodb';
import { type RecordedCall, type ReplayCall, toReplayCall } from './replayCall.js';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
// biome-ignore lint/suspicious/noExplicitAny: a command class looked up by name, as the SDK exports it.
type AnyCommand = new (input: any) => any;
// biome-ignore lint/suspicious/noExplicitAny: any SDK client.
type AnyClient = { send(command: any): Promise<unknown>; destroy(): void };

export interface ReplayClientOptions {
  endpoint: string;
  region: string;
  hubCredentials: Credentials;
  /** Credentials acting in each member account (from an AssumeRole made in set-up, not measured). */
  memberCredentials: ReadonlyMap<string, Credentials>;
  maxAttempts: number;
}

/** DynamoDB actions to the document client's commands (`PutItem` → `PutCommand`). */
const DOCUMENT_COMMANDS: Record<string, string> = {
  PutItem: 'PutCommand',
  GetItem: 'GetCommand',
  UpdateItem: 'UpdateCommand',
  DeleteItem: 'DeleteCommand',
  Query: 'QueryCommand',
  Scan: 'ScanCommand',
  TransactWriteItems: 'TransactWriteCommand',
  TransactGetItems: 'TransactGetCommand',
  BatchWriteItem: 'BatchWriteCommand',
  BatchGetItem: 'BatchGetCommand',
};

export class ReplayClient {
  private readonly base;
  private readonly documents;
  private readonly dynamodb;
  private readonly sts;
  private readonly sns;
  private readonly sqs;
  private readonly ec2 = new Map<string, ec2Module.EC2Client>();

  constructor(private readonly options: ReplayClientOptions) {
    this.base = {
      endpoint: options.endpoint,
      region: options.region,
      maxAttempts: options.maxAttempts,
      retryMode: 'adaptive',
    } as const;
    const hub = { ...this.base, credentials: options.hubCredentials };
    this.dynamodb = new DynamoDBClient(hub);
    this.documents = documentModule.DynamoDBDocumentClient.from(this.dynamodb, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.sts = new stsModule.STSClient(hub);
    this.sns = new snsModule.SNSClient(hub);
    this.sqs = new sqsModule.SQSClient(hub);
  }

  /** Sends one recorded call; `account` says whose EC2 it was (an EC2 call names no account). */
  async send(
    call: ReplayCall,
    where: { account?: string | undefined; region?: string | undefined },
  ): Promise<void> {
    const { client, action } = call;
    if (client === 'dynamodb') {
      const name = DOCUMENT_COMMANDS[action];
      const Command = (documentModule as unknown as Record<string, AnyCommand>)[name ?? ''];
      if (Command === undefined) throw new Error(`no document command for DynamoDB ${action}`);
      await this.documents.send(new Command(call.input));
      return;
    }
    const [module, target] = this.clientFor(client, where);
    const Command = (module as Record<string, AnyCommand>)[`${action}Command`];
    if (Command === undefined) throw new Error(`no command for ${client} ${action}`);
    await target.send(new Command(call.input));
  }

  private clientFor(
    client: ReplayCall['client'],
    where: { account?: string | undefined; region?: string | undefined },
  ): [unknown, AnyClient] {
    if (client === 'sts') return [stsModule, this.sts];
    if (client === 'sns') return [snsModule, this.sns];
    if (client === 'sqs') return [sqsModule, this.sqs];
    const account = where.account ?? '';
    const region = where.region ?? this.options.region;
    const key = `${account}/${region}`;
    let ec2 = this.ec2.get(key);
    if (ec2 === undefined) {
      const credentials = this.options.memberCredentials.get(account);
      if (credentials === undefined)
        throw new Error(`no credentials to replay EC2 calls of account ${account}`);
      ec2 = new ec2Module.EC2Client({ ...this.base, region, credentials });
      this.ec2.set(key, ec2);
    }
    return [ec2Module, ec2];
  }

  destroy(): void {
    this.documents.destroy();
    this.sts.destroy();
    this.sns.destroy();
    this.sqs.destroy();
    for (const ec2 of this.ec2.values()) ec2.destroy();
  }
}

/** Every occurrence of each key of `substitutions` in a recorded call's body and parameters, replaced. */
export function substitute<T extends RecordedCall>(call: T, substitutions: ReadonlyMap<string, string>): T {
  if (substitutions.size === 0) return call;
  const pattern = new RegExp([...substitutions.keys()].map(escapePattern).join('|'), 'g');
  const swap = (text: string) => text.replace(pattern, (found) => substitutions.get(found) ?? found);
  return {
    ...call,
    body: swap(call.body),
    params: Object.fromEntries(Object.entries(call.params).map(([k, v]) => [k, swap(v)])),
  };
}

function escapePattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export { toReplayCall };
