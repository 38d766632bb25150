import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context for running the Lambda handler outside Lambda. `timeoutMillis` is the deadline the handler
 * sees through `getRemainingTimeInMillis` (default 15 minutes, Lambda's longest).
 */
export function localLambdaContext(functionName: string, timeoutMillis = 15 * 60_000): Context {
  const requestId = `${functionName}-${randomUUID()}`;
  const deadline = Date.now() + timeoutMillis;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '0',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
