import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** moto's default account: the hub account in tests, the demo and `local up`. */
export const HUB_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
/** The role AWS Organizations creates in every member account; the emulator's way into an account. */
export const ORGANIZATION_ACCESS_ROLE = 'OrganizationAccountAccessRole';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Credentials of the hub account on the emulator (moto maps unknown keys to its default account). */
export const hubCredentials: StaticCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * Points the SDK clients this process makes at the emulator: `AWS_ENDPOINT_URL`, and, unless already set, the hub's
 * credentials, the region and the switch that silences the SDK's Node 20 warning.
 */
export function useEmulator(endpoint: string, region: string = DEFAULT_REGION): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= hubCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= hubCredentials.secretAccessKey;
  process.env.AWS_REGION ??= region;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The emulator's endpoint. Throws when it is not set: tests must not silently talk to nothing. */
export function emulatorEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: start the emulator (testkit global setup or startEmulator())',
    );
  }
  return endpoint;
}

export interface ClientConfigOptions {
  region?: string;
  credentials?: StaticCredentials;
  endpoint?: string;
}

/** Spread into any SDK v3 client's constructor to reach the emulator. */
export function awsClientConfig(options: ClientConfigOptions = {}) {
  return {
    endpoint: options.endpoint ?? emulatorEndpoint(),
    region: options.region ?? DEFAULT_REGION,
    credentials: options.credentials ?? hubCredentials,
    maxAttempts: 2,
  };
}

const assumed = new Map<string, Promise<StaticCredentials>>();

/**
 * Credentials that act in `accountId`, from a real STS AssumeRole made with the hub's credentials,
 * exactly as the hub gets them. Cached per account, role and endpoint.
 */
export function assumeAccount(
  accountId: string,
  options: { roleName?: string; endpoint?: string } = {},
): Promise<StaticCredentials> {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`not an account id: ${accountId}`);
  const roleName = options.roleName ?? ORGANIZATION_ACCESS_ROLE;
  const endpoint = options.endpoint ?? emulatorEndpoint();
  const key = `${endpoint}|${accountId}|${roleName}`;
  let pending = assumed.get(key);
  if (!pending) {
    const sts = new STSClient(awsClientConfig({ endpoint }));
    pending = sts
      .send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
          RoleSessionName: 'remediation-hub-testkit',
        }),
      )
      .then(({ Credentials: c }) => {
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
          throw new Error('AssumeRole returned no credentials');
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        };
      });
    pending.catch(() => assumed.delete(key));
    assumed.set(key, pending);
  }
  return pending;
}

export interface AccountClients {
  accountId: string;
  region: string;
  credentials: StaticCredentials;
  ec2: EC2Client;
  sqs: SQSClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  sts: STSClient;
  iam: IAMClient;
  cloudformation: CloudFormationClient;
}

function clientsFor(
  accountId: string,
  region: string,
  credentials: StaticCredentials,
  endpoint?: string,
): AccountClients {
  const config = awsClientConfig({ region, credentials, ...(endpoint ? { endpoint } : {}) });
  return {
    accountId,
    region,
    credentials,
    ec2: new EC2Client(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    dynamodb: new DynamoDBClient(config),
    sts: new STSClient(config),
    iam: new IAMClient(config),
    cloudformation: new CloudFormationClient(config),
  };
}

/** SDK v3 clients acting in a member account, with credentials from a real AssumeRole. */
export async function accountClients(accountId: string, region = DEFAULT_REGION): Promise<AccountClients> {
  return clientsFor(accountId, region, await assumeAccount(accountId), undefined);
}

/** SDK v3 clients acting in the hub account. */
export function hubClients(region = DEFAULT_REGION, endpoint?: string): AccountClients {
  return clientsFor(HUB_ACCOUNT_ID, region, hubCredentials, endpoint);
}

/**
 * Resets the whole emulator. Avoid in tests: temporary credentials issued before a reset silently
 * fall back to the default account afterwards. Isolate by account numbers and names instead.
 */
export async function resetEmulator(endpoint = emulatorEndpoint()): Promise<void> {
  const response = await fetch(new URL('/moto-api/reset', endpoint), { method: 'POST' });
  if (!response.ok) throw new Error(`emulator reset failed: HTTP ${response.status}`);
  assumed.clear();
}
