import { userInfo } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '@remediation-hub/core';
import { AccountRegistryAdmin } from '@remediation-hub/hub-handler';
import { cliHubCredentials } from '../hubEnvironment.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface RegistryConnection {
  admin: AccountRegistryAdmin;
  /** Who is making the changes: the caller's ARN from STS (with the OS user beside it), else the OS user. */
  actor(): Promise<string>;
  destroy(): void;
}

/**
 * The account registry for `remediation-hub accounts`: `--table` or `ACCOUNT_REGISTRY_TABLE`, the region and, on an
 * emulator, the endpoint; credentials from the SDK's default chain (on an emulator without any, its placeholders).
 */
export function openRegistry(options: {
  tableName?: string | undefined;
  endpoint?: string | undefined;
  env: Env;
}): RegistryConnection {
  const { env } = options;
  const tableName = options.tableName ?? nonEmpty(env.ACCOUNT_REGISTRY_TABLE);
  if (tableName === undefined) {
    throw new ConfigurationError(
      'no account registry: pass --table NAME or set ACCOUNT_REGISTRY_TABLE (the hub stack outputs AccountRegistryTableName; `remediation-hub local up --registry` prints it)',
    );
  }
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region === undefined)
    throw new ConfigurationError('no region: set AWS_REGION to the hub region (e.g. us-east-1)');
  const endpoint = options.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const credentials = cliHubCredentials(env);
  const config = {
    region,
    maxAttempts: 5,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
  const dynamodb = new DynamoDBClient(config);
  const sts = new STSClient(config);
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  let actor: Promise<string> | undefined;
  return {
    admin: new AccountRegistryAdmin({ client: documentClient, tableName }),
    actor: () => {
      actor ??= callerIdentity(sts);
      return actor;
    },
    destroy: () => {
      dynamodb.destroy();
      sts.destroy();
    },
  };
}

async function callerIdentity(sts: STSClient): Promise<string> {
  const user = osUser();
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (Arn) return user === undefined ? Arn : `${Arn} (${user})`;
  } catch {
    // No identity from STS: the OS user is all there is to name.
  }
  return user === undefined ? 'unknown' : `os:${user}`;
}

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
