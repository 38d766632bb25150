import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

/** An EventBridge event as Security Hub emits it (and as the queue then receives it). */
export interface EventBridgeEvent {
  source: string;
  'detail-type': string;
  detail: unknown;
  [key: string]: unknown;
}

/**
 * Puts events on a bus (the default bus unless named) as their source would (`PutEvents` with their `source`, `detail-type` and
 * `detail`): the production path of Security Hub's findings, rule → queue. EventBridge stamps its own `id`,
 * `time`, `account` and `region`. On AWS only Security Hub may send `aws.securityhub` events; the emulator takes
 * them from anyone. Returns the event ids; throws when any entry failed.
 */
export async function putEvents(
  events: EventBridgeClient,
  entries: readonly EventBridgeEvent[],
  eventBusName = 'default',
): Promise<string[]> {
  if (entries.length === 0) return [];
  const { Entries = [], FailedEntryCount = 0 } = await events.send(
    new PutEventsCommand({
      Entries: entries.map((event) => ({
        EventBusName: eventBusName,
        Source: event.source,
        DetailType: event['detail-type'],
        Detail: JSON.stringify(event.detail),
      })),
    }),
  );
  if (FailedEntryCount > 0) {
    throw new Error(`PutEvents: ${FailedEntryCount} of ${entries.length} failed: ${JSON.stringify(Entries)}`);
  }
  return Entries.map((entry) => entry.EventId ?? '');
}
