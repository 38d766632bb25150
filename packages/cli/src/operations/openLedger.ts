import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '@remediation-hub/core';
import { DynamoDbLedger } from '@remediation-hub/hub-handler';
import { cliHubCredentials } from '../hubEnvironment.js';

export interface LedgerConnection {
  ledger: DynamoDbLedger;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  destroy(): void;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface OpenLedgerOptions {
  /** `--table`; default `LEDGER_TABLE`. */
  tableName?: string | undefined;
  /** Overrides `AWS_ENDPOINT_URL` (tests put a recording proxy here). */
  endpoint?: string | undefined;
  env?: Env;
}

/**
 * The ledger for the read-side commands (`audit`): only the table, the region and, on an emulator, the
 * endpoint are needed, not the hub's whole configuration. Credentials come from the SDK's default chain
 * (on an emulator without any configured, its placeholder keys).
 */
export function openLedger(options: OpenLedgerOptions = {}): LedgerConnection {
  const env = options.env ?? process.env;
  const tableName = options.tableName ?? nonEmpty(env.LEDGER_TABLE);
  if (tableName === undefined) {
    throw new ConfigurationError(
      'no ledger table: pass --table NAME or set LEDGER_TABLE (the hub stack outputs it; `remediation-hub local up` prints it)',
    );
  }
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region === undefined) {
    throw new ConfigurationError('no region: set AWS_REGION to the hub region (e.g. us-east-1)');
  }
  const endpoint = options.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const credentials = cliHubCredentials(env);
  const dynamodb = new DynamoDBClient({
    region,
    maxAttempts: 5,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return {
    ledger: new DynamoDbLedger({ client: documentClient, tableName }),
    documentClient,
    tableName,
    destroy: () => dynamodb.destroy(),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
