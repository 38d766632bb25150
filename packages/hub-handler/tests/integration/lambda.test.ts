import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '@remediation-hub/core';
import {
  awsClientConfig,
  createGroup,
  createLedgerTable,
  localLambdaContext,
  makeAlert,
  sqsEvent,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { startHubRun } from '../support/testHub.js';

// Accounts 333333333390-399 belong to this file.
const A = '333333333390';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

describe('lambda.ts (the entry point infra bundles)', () => {
  const tableName = uniqueName('lambda-ledger');
  const env = {
    LEDGER_TABLE: tableName,
    MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
    MEMBER_ROLE_PATH: '/remediation-hub/',
    MEMBER_EXTERNAL_ID: 'lambda-test-external-id',
    ALLOWED_ACCOUNTS: A,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'silent',
  };

  beforeAll(async () => {
    const dynamodb = new DynamoDBClient(awsClientConfig());
    await createLedgerTable(dynamodb, tableName);
    dynamodb.destroy();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  const importHandler = async (variables: Record<string, string>): Promise<Handler> => {
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
    vi.resetModules();
    const module = (await import('../../src/lambda.js')) as { handler: Handler };
    return module.handler;
  };

  it('refuses to start with an invalid environment, naming every bad variable', async () => {
    const error = await importHandler({ ...env, LEDGER_TABLE: '', REMEDIATION_MODE: 'sometimes' }).catch(
      (e) => e,
    );
    // The module graph was reset for the import, so compare by name rather than class identity.
    expect(error).toMatchObject({ name: ConfigurationError.name, retryable: false });
    expect((error as Error).message).toBe(
      'invalid configuration: LEDGER_TABLE is required (a DynamoDB table name); REMEDIATION_MODE must be one of remediate, dry-run, got "sometimes"',
    );
  });

  it('answers with a partial batch response: terminal outcomes consumed, only retryable failures returned', async () => {
    const handler = await importHandler(env);
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const held = makeAlert({ id: uniqueName('held'), accountId: A, region: 'us-east-1', groupId });
    const pass = makeAlert({
      id: uniqueName('pass'),
      accountId: A,
      region: 'us-east-1',
      groupId,
      status: 'pass',
    });
    // Another worker holds a live lease on `held`.
    const other = await startHubRun({ env });
    await other.root.ledger.claim({
      alertId: held.data.id,
      eventKey: 'fail',
      alertStatus: 'fail',
      owner: 'other-container',
      leaseSeconds: 120,
      now: new Date(),
    });
    await other.close();

    const event = sqsEvent(['{ not json', JSON.stringify(pass), JSON.stringify(held)]);
    // The entry point writes its EMF document to stdout, beside the log lines (captured, not printed).
    const stdout: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    const response = await handler(event, localLambdaContext('remediation-hub')).finally(() =>
      write.mockRestore(),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[2]?.messageId }] });
    // Every line is an EMF document (the logger is silent); one of them counts the batch's outcomes.
    const emf = stdout.map((line) => JSON.parse(line) as { _aws?: unknown; [metric: string]: unknown });
    expect(emf.length).toBeGreaterThan(0);
    expect(emf.every((document) => document._aws !== undefined)).toBe(true);
    expect(emf.some((document) => 'Outcome' in document)).toBe(true);
  });

  it('sends back alerts it has no time left to start, instead of letting the invocation time out', async () => {
    const run = await startHubRun({ env });
    const { createLambdaHandler } = await import('../../src/handler/createLambdaHandler.js');
    const handler = createLambdaHandler(run.root, { reserveMillis: 10_000 });
    const event = sqsEvent(['{}', '{}']);
    const context = { ...localLambdaContext('remediation-hub'), getRemainingTimeInMillis: () => 9_000 };
    const response = await handler(event, context);
    await run.close();
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.map((r) => r.messageId),
    );
    expect(run.proxy.requests).toEqual([]);
  });
});
