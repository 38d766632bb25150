import {
  AccessDeniedError,
  type ErrorContext,
  RemediationHubError,
  ResourceGoneError,
  ThrottledError,
  TransientAwsError,
  UnexpectedAwsError,
} from '@remediation-hub/core';

/** What an SDK v3 service exception carries that the mapping reads. */
interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
]);

const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
  'NoSuchEntity',
  'NoSuchEntityException',
  'RegionDisabledException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'OptInRequired',
]);

const RESOURCE_GONE_CODES = new Set(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);

/** Transient by nature: the next attempt (or a fresh AssumeRole) may well succeed. */
const TRANSIENT_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'IDPCommunicationError',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * A member account's temporary credentials refused by the service: the session expired or was revoked
 * (`AuthFailure` is EC2's word for both). Not the member role refusing an action (`UnauthorizedOperation`).
 */
const REFUSED_CREDENTIALS_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'AuthFailure',
]);

/** True when the error says the credentials that signed the call are no longer valid (see above). */
/** AWS refused the call as throttled (`RequestLimitExceeded`, `Throttling`, ...). */
export function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.has(awsErrorCode(error) ?? '');
}

export function refusesCredentials(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && REFUSED_CREDENTIALS_CODES.has(code);
}

/** The AWS error code of an SDK v3 error (`InvalidGroup.NotFound`, `AccessDenied`, ...), if any. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsErrorShape;
  for (const candidate of [e.Code, e.name, e.code]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return undefined;
}

/**
 * Turns an AWS SDK (or network) error into the core's error classes, so the handler can tell a batch
 * item failure (retryable) from a terminal outcome. Unknown client errors (4xx) are terminal
 * (`UnexpectedAwsError`); anything that is not an answer from AWS at all is transient.
 */
export function mapAwsError(error: unknown, action: string, context: ErrorContext): RemediationHubError {
  if (error instanceof RemediationHubError) return error;
  const code = awsErrorCode(error);
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  const detail = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(error);
  const message = `${action} failed: ${code ?? 'error'}: ${detail}`;
  const options = { ...context, cause: error };

  if (code !== undefined && THROTTLING_CODES.has(code)) return new ThrottledError(message, options);
  if (status === 429) return new ThrottledError(message, options);
  if (code !== undefined && RESOURCE_GONE_CODES.has(code)) return new ResourceGoneError(message, options);
  if (code !== undefined && ACCESS_DENIED_CODES.has(code)) return new AccessDeniedError(message, options);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return new TransientAwsError(message, options);
  if (status !== undefined && status >= 500) return new TransientAwsError(message, options);
  if (shape.$fault === 'server') return new TransientAwsError(message, options);
  if (status === 403) return new AccessDeniedError(message, options);
  if (status !== undefined && status >= 400) {
    return new UnexpectedAwsError(message, { ...options, ...(code === undefined ? {} : { code }) });
  }
  // No HTTP answer at all: a reset connection, a timeout, DNS. Retry later.
  return new TransientAwsError(message, options);
}

/**
 * Whether a call that failed this way may still have been applied by AWS: it got no answer at all (a reset, a
 * timeout) or a server error that is not throttling. An answer of 4xx, throttling or refused credentials says
 * the call was not applied. (A mapped error is read through its `cause`, the SDK's own.)
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  const original = error instanceof RemediationHubError && error.cause !== undefined ? error.cause : error;
  if (original instanceof RemediationHubError) return false;
  const code = awsErrorCode(original);
  if (code !== undefined && (THROTTLING_CODES.has(code) || REFUSED_CREDENTIALS_CODES.has(code))) return false;
  const status = (original as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}
