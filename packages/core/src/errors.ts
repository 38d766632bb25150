import { wellFormed } from './describeIssue.js';

/**
 * Every error of the hub says whether it is retryable: a retryable error sends the SQS message back
 * (a batch item failure), a terminal one is recorded once in the ledger and the message is consumed.
 */
export interface ErrorContext {
  accountId?: string | undefined;
  region?: string | undefined;
  groupId?: string | undefined;
  alertId?: string | undefined;
}

export abstract class RemediationHubError extends Error {
  /** Set to a literal by every subclass: bundlers that minify rename classes, and the ledger records this name. */
  abstract override readonly name: string;
  abstract readonly retryable: boolean;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly groupId: string | undefined;
  readonly alertId: string | undefined;

  constructor(message: string, options: ErrorContext & { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.accountId = options.accountId;
    this.region = options.region;
    this.groupId = options.groupId;
    this.alertId = options.alertId;
  }
}

/** The alert document (or its SNS envelope) is not what the hub can read. Terminal: `rejected`. */
export class MalformedAlertError extends RemediationHubError {
  override readonly name = 'MalformedAlertError';
  readonly retryable = false;
  /** The JSON path of the offending field, e.g. `included[external_accounts].attributes.account`. */
  readonly field: string | undefined;
  constructor(message: string, options: ErrorContext & { cause?: unknown; field?: string } = {}) {
    // The message quotes the input, and is recorded: whole characters only.
    super(wellFormed(message), options);
    this.field = options.field;
  }
}

/** The live security group is not something the planner can decide on (e.g. tcp without ports). */
export class MalformedSecurityGroupError extends RemediationHubError {
  override readonly name = 'MalformedSecurityGroupError';
  readonly retryable = false;
}

/** The account is not on the hub's allow-list, or the alert names two different accounts. Terminal: `rejected`. */
export class AccountNotAllowedError extends RemediationHubError {
  override readonly name = 'AccountNotAllowedError';
  readonly retryable = false;
}

/** The hub's configuration is invalid. Terminal; raised at start. */
export class ConfigurationError extends RemediationHubError {
  override readonly name = 'ConfigurationError';
  readonly retryable = false;
}

/** The member role is missing, or refuses the hub (AccessDenied). Terminal: `failed`. */
export class AccessDeniedError extends RemediationHubError {
  override readonly name = 'AccessDeniedError';
  readonly retryable = false;
}

/** The security group no longer exists (`InvalidGroup.NotFound`). Terminal: `resource-gone`. */
export class ResourceGoneError extends RemediationHubError {
  override readonly name = 'ResourceGoneError';
  readonly retryable = false;
}

/** EC2 or STS throttled the call (`RequestLimitExceeded`, `Throttling`). Retryable. */
export class ThrottledError extends RemediationHubError {
  override readonly name = 'ThrottledError';
  readonly retryable = true;
}

/** A 5xx, a reset connection or a timeout. Retryable. */
export class TransientAwsError extends RemediationHubError {
  override readonly name = 'TransientAwsError';
  readonly retryable = true;
}

/** Another worker holds a live lease on this alert. Retryable: the message comes back later. */
export class LeaseContentionError extends RemediationHubError {
  override readonly name = 'LeaseContentionError';
  readonly retryable = true;
}

/**
 * The security group changed under the hub while it acted (a revocation found its rule already gone, an
 * authorization found its rule already there) and the group, read again, is not yet as the alert needs it, or
 * may still be changing. Retryable: the next delivery plans again from the group as it is then.
 */
export class ConcurrentChangeError extends RemediationHubError {
  override readonly name = 'ConcurrentChangeError';
  readonly retryable = true;
}

/** An AWS error the hub has no specific mapping for. Terminal: recorded as `failed`. */
export class UnexpectedAwsError extends RemediationHubError {
  override readonly name = 'UnexpectedAwsError';
  readonly retryable = false;
  readonly code: string | undefined;
  constructor(message: string, options: ErrorContext & { cause?: unknown; code?: string } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

/** An operator action (undo) that the ledger record does not allow. */
export class OperationRefusedError extends RemediationHubError {
  override readonly name = 'OperationRefusedError';
  readonly retryable = false;
}

/** Retryable unless it is a known terminal error; unknown errors are treated as retryable (never lose an alert). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RemediationHubError) return error.retryable;
  return true;
}

/**
 * The hub cannot tell whether it may act in an account: the account registry or AWS Organizations could not be
 * read (throttled, down, access denied, a configured OU not found). Retryable: the alert comes back later and
 * nothing reaches STS meanwhile; an outage never rejects an alert, nor lets the hub act without an allowance.
 */
export class AccountDirectoryUnavailableError extends RemediationHubError {
  override readonly name = 'AccountDirectoryUnavailableError';
  readonly retryable = true;
  /** Which source could not be read. */
  readonly source: 'registry' | 'organizations';
  constructor(
    message: string,
    options: ErrorContext & { cause?: unknown; source: 'registry' | 'organizations' },
  ) {
    super(message, options);
    this.source = options.source;
  }
}
