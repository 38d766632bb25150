import { type ErrorContext, isRetryable, RemediationHubError } from '@remediation-hub/core';

/**
 * An undo claimed its remediation, then an EC2 call failed. The message says what was recorded (the undo
 * event as `failed`, with what EC2 confirmed before the error) and that the remediation can be undone
 * again; the EC2 error is the `cause`, and decides whether trying again soon makes sense.
 */
export class UndoFailedError extends RemediationHubError {
  override readonly name = 'UndoFailedError';
  readonly retryable: boolean;
  /** The undo event that records the failure. */
  readonly eventKey: string;

  constructor(message: string, options: ErrorContext & { cause: unknown; eventKey: string }) {
    super(message, options);
    this.retryable = isRetryable(options.cause);
    this.eventKey = options.eventKey;
  }
}
