import { BatchUpdateFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { LedgerRecord, OutcomeListener } from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
import { securityHubFindingUpdate } from './securityHubFindingUpdate.js';

/**
 * `UnprocessedFindings` error codes worth another try (API `BatchUpdateFindingsUnprocessedFinding`); the others
 * (`FindingNotFound`, `FindingSizeExceeded`, `InvalidInput`, `DuplicatedFindingIdentifier`) would fail again.
 */
const RETRYABLE_UNPROCESSED = new Set(['ConcurrentUpdateError', 'InternalFailure']);

export interface SecurityHubWriteBackOptions {
  /**
   * A Security Hub client of the hub account in the hub's region: the region of the EventBridge rule, where the
   * finding was received (its own region, or the aggregation region that replicates the update back).
   */
  client: SecurityHubClient;
  logger: Logger;
  /** Tries of one update, the SDK's own retries of each aside (default 3). */
  tries?: number;
  /** Waits between tries (default 200 ms, doubling); tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Tells Security Hub what became of its finding, after the ledger write: `RESOLVED` with a note of what was
 * revoked, or `NOTIFIED` with why it could not be closed (`securityHubFindingUpdate` decides). One
 * BatchUpdateFindings call per finding, checked for `UnprocessedFindings`, which do not raise.
 *
 * Never throws: the ledger stays the truth and the outcome stands. A failure is retried a few times, then logged
 * (`security hub write-back failed`, with the ledger key) and left there: the record does not say it. The outcome
 * events under way will mark on the record whether their event was sent, and a resend will follow from that; the
 * write-back should take that same flag rather than start a second one, once it lands.
 */
export class SecurityHubWriteBack implements OutcomeListener {
  readonly name = 'security-hub';
  readonly #client: SecurityHubClient;
  readonly #log: Logger;
  readonly #tries: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: SecurityHubWriteBackOptions) {
    this.#client = options.client;
    this.#log = options.logger.child({ listener: this.name });
    this.#tries = Math.max(1, options.tries ?? 3);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async completed(record: LedgerRecord): Promise<void> {
    const decision = securityHubFindingUpdate(record);
    const ledgerKey = { alertId: record.alertId, eventKey: record.eventKey };
    if (decision.update === undefined) {
      if (record.source === 'security-hub') {
        this.#log.debug({ ledgerKey, outcome: record.outcome, why: decision.skip }, 'finding left as it is');
      }
      return;
    }
    const { update } = decision;
    const workflow = update.Workflow.Status;
    let last: { code: string; message: string; retryable: boolean } | undefined;
    for (let attempt = 1; attempt <= this.#tries; attempt++) {
      if (attempt > 1) await this.#sleep(200 * 2 ** (attempt - 2));
      try {
        const output = await this.#client.send(new BatchUpdateFindingsCommand(update));
        const [unprocessed] = output.UnprocessedFindings ?? [];
        if (unprocessed === undefined) {
          this.#log.info({ ledgerKey, workflow, attempts: attempt }, 'security hub finding updated');
          return;
        }
        const code = unprocessed.ErrorCode ?? 'unknown';
        last = {
          code,
          message: unprocessed.ErrorMessage ?? 'unprocessed',
          retryable: RETRYABLE_UNPROCESSED.has(code),
        };
      } catch (error) {
        const mapped = mapAwsError(error, 'BatchUpdateFindings', { alertId: record.alertId });
        last = {
          code: awsErrorCode(error) ?? mapped.name,
          message: mapped.message,
          retryable: mapped.retryable,
        };
      }
      if (!last.retryable) break;
    }
    this.#log.error(
      { ledgerKey, workflow, error: last, tries: this.#tries },
      'security hub write-back failed',
    );
  }
}
