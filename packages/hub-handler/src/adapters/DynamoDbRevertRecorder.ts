import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  LEDGER_TABLE,
  LeaseContentionError,
  type LedgerRecord,
  OperationRefusedError,
  type RecordedError,
  type RevertRecorder,
  withPendingEvent,
} from '@remediation-hub/core';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
import { withoutUndefined } from './withoutUndefined.js';

export interface RevertRecorderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The hub publishes outcome events: the undo's completion is written with its event pending. */
  outcomeEvents?: boolean;
}

const PK = LEDGER_TABLE.partitionKey.name;
const SK = LEDGER_TABLE.sortKey.name;
/** The ledger adapter's optimistic-concurrency attribute; every write renews it. */
const WRITE_TOKEN = 'writeToken';

/**
 * `findUndoTarget`'s `changedTheGroup` as a condition: a completed `remediated` record, or a completed
 * `failed` one that revoked or authorized something before its error (a partial remediation). A record the
 * hub is processing again (`in-progress`) is not undoable until it completes.
 */
const CHANGED_THE_GROUP =
  '#state = :completed AND (#outcome = :remediated OR (#outcome = :failed AND (size(#revoked) > :zero OR size(#authorized) > :zero)))';
const CHANGED_THE_GROUP_NAMES = {
  '#state': 'state',
  '#outcome': 'outcome',
  '#revoked': 'revoked',
  '#authorized': 'authorized',
};
const CHANGED_THE_GROUP_VALUES = {
  ':completed': 'completed',
  ':remediated': 'remediated',
  ':failed': 'failed',
  ':zero': 0,
};
/** The undo event is still this undo's: in progress, under its lease owner (no other undo took it over). */
const STILL_OURS = '#state = :inProgress AND #leaseOwner = :owner';
const STILL_OURS_NAMES = { '#state': 'state', '#leaseOwner': 'leaseOwner' };

const keyOf = (record: LedgerRecord) => ({ [PK]: record.alertId, [SK]: record.eventKey });
const context = (record: LedgerRecord) => ({
  alertId: record.alertId,
  accountId: record.accountId,
  groupId: record.resourceId,
});
const itemOf = (event: LedgerRecord, outcomeEvents = false) => ({
  ...withoutUndefined(
    event.state === 'completed'
      ? (outcomeEvents ? withPendingEvent : (r: LedgerRecord) => r)({ ...event, leaseExpiresAt: undefined })
      : event,
  ),
  [WRITE_TOKEN]: randomUUID(),
});
const takenOver = (event: LedgerRecord) =>
  new LeaseContentionError(
    `the undo ${event.alertId} (${event.eventKey}) lost its claim while it ran (its lease expired and another undo took it over): the other undo's record stands`,
    context(event),
  );

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** The undo's ledger writes on the hub's DynamoDB table (definition: core's `LEDGER_TABLE`). */
export class DynamoDbRevertRecorder implements RevertRecorder {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #outcomeEvents: boolean;

  constructor(options: RevertRecorderOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#outcomeEvents = options.outcomeEvents === true;
  }

  async claim(original: LedgerRecord, event: LedgerRecord, abandoned?: LedgerRecord): Promise<void> {
    const transactItems: TransactItem[] = [
      { Put: this.#putNew(event) },
      { Update: this.#pointOriginalAt(original, event, abandoned) },
      ...(abandoned ? [{ Update: this.#closeAbandoned(abandoned, event) }] : []),
    ];
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: transactItems }));
    } catch (error) {
      if (isCanceledByAnotherWriter(error)) {
        throw new OperationRefusedError(
          `${original.alertId} (${original.eventKey}) was claimed by another undo (or changed) after this undo read it; nothing was changed: see \`audit show ${original.alertId}\``,
          context(original),
        );
      }
      throw mapAwsError(error, `dynamodb:TransactWriteItems ${this.#table}`, context(original));
    }
  }

  /** The undo event, new: no item may be there yet. */
  #putNew(event: LedgerRecord): NonNullable<TransactItem['Put']> {
    return {
      TableName: this.#table,
      Item: itemOf(event),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    };
  }

  /**
   * The original's `revertedBy` set to the undo event, while the original still changed the group and is
   * neither undone nor being undone (or is held by the abandoned undo being taken over).
   */
  #pointOriginalAt(
    original: LedgerRecord,
    event: LedgerRecord,
    abandoned: LedgerRecord | undefined,
  ): NonNullable<TransactItem['Update']> {
    return {
      TableName: this.#table,
      Key: keyOf(original),
      UpdateExpression: 'SET #revertedBy = :by, #token = :token',
      ConditionExpression: `attribute_exists(#pk) AND ${CHANGED_THE_GROUP} AND ${
        abandoned ? '#revertedBy = :abandoned' : 'attribute_not_exists(#revertedBy)'
      }`,
      ExpressionAttributeNames: {
        '#pk': PK,
        '#token': WRITE_TOKEN,
        '#revertedBy': 'revertedBy',
        ...CHANGED_THE_GROUP_NAMES,
      },
      ExpressionAttributeValues: {
        ':by': event.eventKey,
        ':token': randomUUID(),
        ...CHANGED_THE_GROUP_VALUES,
        ...(abandoned ? { ':abandoned': abandoned.eventKey } : {}),
      },
    };
  }

  /** An earlier undo's in-progress event whose lease expired, closed as `failed`: this undo takes it over. */
  #closeAbandoned(abandoned: LedgerRecord, event: LedgerRecord): NonNullable<TransactItem['Update']> {
    const now = event.recordedAt;
    const error: RecordedError = {
      name: 'UndoAbandonedError',
      message: `this undo stopped before it completed (its claim expired at ${isoTime(abandoned.leaseExpiresAt)}); ${event.eventKey} took it over`,
      retryable: true,
    };
    return {
      TableName: this.#table,
      Key: keyOf(abandoned),
      UpdateExpression:
        'SET #state = :completed, #outcome = :failed, #error = :error, #recordedAt = :now, #timings.#completedAt = :now, #token = :token REMOVE #leaseExpiresAt',
      ConditionExpression: '#state = :inProgress AND #leaseOwner = :owner AND #leaseExpiresAt <= :nowMs',
      ExpressionAttributeNames: {
        '#state': 'state',
        '#outcome': 'outcome',
        '#error': 'error',
        '#recordedAt': 'recordedAt',
        '#timings': 'timings',
        '#completedAt': 'completedAt',
        '#token': WRITE_TOKEN,
        '#leaseOwner': 'leaseOwner',
        '#leaseExpiresAt': 'leaseExpiresAt',
      },
      ExpressionAttributeValues: {
        ':completed': 'completed',
        ':failed': 'failed',
        ':error': error,
        ':now': now,
        ':token': randomUUID(),
        ':inProgress': 'in-progress',
        ':owner': abandoned.leaseOwner ?? '',
        ':nowMs': Date.parse(now),
      },
    };
  }

  async complete(event: LedgerRecord): Promise<void> {
    try {
      await this.#client.send(new PutCommand(this.#putIfStillOurs(event)));
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') throw takenOver(event);
      throw mapAwsError(error, `dynamodb:PutItem ${this.#table}`, context(event));
    }
  }

  async fail(original: LedgerRecord, event: LedgerRecord): Promise<void> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: this.#putIfStillOurs(event) },
            {
              Update: {
                TableName: this.#table,
                Key: keyOf(original),
                UpdateExpression: 'SET #token = :token REMOVE #revertedBy',
                ConditionExpression: '#revertedBy = :by',
                ExpressionAttributeNames: { '#token': WRITE_TOKEN, '#revertedBy': 'revertedBy' },
                ExpressionAttributeValues: { ':token': randomUUID(), ':by': event.eventKey },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isCanceledByAnotherWriter(error)) throw takenOver(event);
      throw mapAwsError(error, `dynamodb:TransactWriteItems ${this.#table}`, context(event));
    }
  }

  #putIfStillOurs(event: LedgerRecord) {
    return {
      TableName: this.#table,
      Item: itemOf(event, this.#outcomeEvents),
      ConditionExpression: STILL_OURS,
      ExpressionAttributeNames: STILL_OURS_NAMES,
      ExpressionAttributeValues: { ':inProgress': 'in-progress', ':owner': event.leaseOwner ?? '' },
    };
  }
}

/**
 * A transaction canceled because a condition did not hold, or because another transaction was writing the
 * same items at that moment (`TransactionConflict`: another undo claiming at once).
 */
function isCanceledByAnotherWriter(error: unknown): boolean {
  if (awsErrorCode(error) !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  if (!Array.isArray(reasons) || reasons.length === 0) {
    return /ConditionalCheckFailed|TransactionConflict/.test(String((error as Error).message));
  }
  return reasons.some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
}

function isoTime(epochMs: number | undefined): string {
  return epochMs === undefined ? 'an unknown time' : new Date(epochMs).toISOString();
}
