import { readFileSync } from 'node:fs';
import {
  type LedgerRecord,
  loadConfig,
  OUTCOME_EVENT_SCHEMA_VERSION,
  type Outcome,
} from '@remediation-hub/core';
import {
  createCompositionRoot,
  createLogger,
  DynamoDbLedger,
  DynamoDbRevertRecorder,
} from '@remediation-hub/hub-handler';
import {
  awsQueryError,
  createGroup,
  hubSns,
  hubSqs,
  type LocalUpResult,
  makeAlert,
  type RecordingProxy,
  receiveOutcomeEvents,
  startRecordingProxy,
  subscribeOutcomeQueue,
  uniqueName,
  upTestHub,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import { resendOutcomeEvents } from '../../src/operations/resendOutcomeEvents.js';
import { undoRemediation } from '../../src/operations/undoRemediation.js';

// Accounts 333333333420-429 belong to this file.
const A = '333333333420';
const B = '333333333421';
const MINUTE = 60_000;

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(
  JSON.parse(
    readFileSync(
      new URL(
        `../../../core/schema/outcome-event.v${OUTCOME_EVENT_SCHEMA_VERSION}.schema.json`,
        import.meta.url,
      ),
      'utf8',
    ),
  ),
);

/** A completed record written `minutesAgo` ago about `account`. */
function seed(
  alertId: string,
  account: string,
  outcome: Outcome,
  minutesAgo: number,
  control = 'AWS:EC2-002',
) {
  const at = new Date(Date.now() - minutesAgo * MINUTE).toISOString();
  const record: LedgerRecord = {
    alertId,
    eventKey: 'fail',
    alertStatus: 'fail',
    state: 'completed',
    outcome,
    recordedAt: at,
    expiresAt: 0,
    source: 'evident',
    accountId: account,
    region: 'us-east-1',
    resourceId: 'sg-0a1b2c3d4e5f60718',
    signature: { identifier: control, name: control },
    mode: 'remediate',
    sourceFirstSeenAt: new Date(Date.parse(at) - 90_000).toISOString(),
    revoked:
      outcome === 'remediated'
        ? [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]
        : [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: { firstSeenAt: at, startedAt: at, completedAt: at },
  };
  return record;
}

describe('outcome events from the CLI: audit resend and audit stats', () => {
  let up: LocalUpResult;
  let proxy: RecordingProxy;
  let topicArn: string;
  const sns = hubSns();
  const sqs = hubSqs();
  const endpoint = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    up = await upTestHub('cli-outcomes', [A, B], { outcomeTopic: true });
    topicArn = up.outcomeTopic?.arn ?? '';
    proxy = await startRecordingProxy();
  });
  afterEach(() => {
    process.env.AWS_ENDPOINT_URL = endpoint;
    proxy.clear();
  });
  afterAll(async () => {
    sns.destroy();
    sqs.destroy();
    await proxy.close();
  });

  /** The CLI, every AWS call through the recording proxy. */
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false };
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    const code = await main(argv, io);
    process.env.AWS_ENDPOINT_URL = endpoint;
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const dynamoCalls = () =>
    proxy.requests
      .filter((r) => r.service === 'dynamodb')
      .map((r) => ({ action: r.action, index: (JSON.parse(r.body) as { IndexName?: string }).IndexName }));
  const subscribe = (filterPolicy?: Record<string, unknown>) =>
    subscribeOutcomeQueue({ sns, sqs, topicArn, queueName: uniqueName('cli-subscriber'), filterPolicy });

  it('sends later the event of a publish that kept failing, from the ledger, and marks it sent; an undo publishes its own', async () => {
    const subscriber = await subscribe({ outcome: ['remediated'] });
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('late'), accountId: A, region: 'us-east-1', groupId });
    const hubProxy = await startRecordingProxy();
    const root = createCompositionRoot({
      config: loadConfig({ ...up.env, AWS_MAX_ATTEMPTS: '1' }),
      logger: createLogger({ level: 'silent' }),
      endpoint: hubProxy.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      hubProxy.failNext(
        { action: 'Publish' },
        { status: 500, body: awsQueryError('InternalError', 'down') },
        3,
      );
      const [result] = await root.processMessage({
        messageId: 'm-late',
        body: JSON.stringify(doc),
        owner: 'test',
      });
      expect(result?.outcome).toBe('remediated');
      expect(await root.ledger.get(doc.data.id, 'fail')).toMatchObject({
        pendingEvent: 'pending',
        outcomeEvent: { state: 'pending', failures: 1 },
      });
      const publisher = root.outcomes?.publisher;
      const events = root.outcomes?.events;
      if (!publisher || !events) throw new Error('the hub has no outcome publisher');
      // A minute later the topic is back: resend finds the record through the index and publishes its event.
      const later = { now: () => new Date(Date.now() + 2 * MINUTE) };

      const report = await resendOutcomeEvents(
        { events, publish: (record) => publisher.publish(record), clock: later },
        { dryRun: false, since: new Date(Date.now() - 5 * MINUTE) },
      );

      const mine = report.entries.filter((e) => e.record.alertId === doc.data.id);
      expect(mine.map((e) => e.result)).toEqual(['sent']);
      const received = await receiveOutcomeEvents(sqs, subscriber.queueUrl, { count: 1, idleSeconds: 1 });
      expect(received.map(({ event }) => event.findingId)).toEqual([doc.data.id]);
      expect(validate(received[0]?.event)).toBe(true);
      expect(received[0]?.attributes).toMatchObject({ outcome: 'remediated', account: A });
      const record = await root.ledger.get(doc.data.id, 'fail');
      expect(record).toMatchObject({ outcomeEvent: { state: 'sent', messageId: mine[0]?.messageId } });
      expect(record?.pendingEvent).toBeUndefined();
      // Sent once: a second resend finds nothing of it.
      const again = await resendOutcomeEvents(
        { events, publish: (r) => publisher.publish(r), clock: later },
        { dryRun: false },
      );
      expect(again.entries.some((e) => e.record.alertId === doc.data.id)).toBe(false);

      // Undo publishes its `reverted` event the same way, pointing at the remediation it reverted.
      const reverted = await subscribe({ outcome: ['reverted'] });
      const undone = await undoRemediation(
        {
          ledger: root.ledger,
          gateway: root.gateway,
          clock: root.clock,
          roleArnFor: (accountId) => root.credentials.roleArnFor(accountId),
          recorder: new DynamoDbRevertRecorder({
            client: root.documentClient,
            tableName: up.ledgerTable.name,
            outcomeEvents: true,
          }),
          listeners: [publisher],
        },
        { alertId: doc.data.id, dryRun: false },
      );
      const [undoEvent] = await receiveOutcomeEvents(sqs, reverted.queueUrl, { count: 1, idleSeconds: 1 });
      expect(validate(undoEvent?.event)).toBe(true);
      expect(undoEvent?.event).toMatchObject({
        outcome: 'reverted',
        eventKey: undone.event?.eventKey,
        revertOf: { alertId: doc.data.id, eventKey: 'fail' },
        authorized: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }],
        undo: null,
      });
      expect(await root.ledger.get(doc.data.id, undone.event?.eventKey ?? '')).toMatchObject({
        outcomeEvent: { state: 'sent' },
      });
    } finally {
      root.destroy();
      await hubProxy.close();
    }
  });

  describe('on the command line', () => {
    const ledger = () =>
      createCompositionRoot({
        config: loadConfig(up.env),
        logger: createLogger({ level: 'silent' }),
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
    const owed = seed(uniqueName('owed'), B, 'failed', 5);
    const fresh = seed(uniqueName('fresh'), B, 'remediated', 0.2);
    const sent = seed(uniqueName('sent'), B, 'remediated', 6, 'AWS:EC2-004');

    beforeAll(async () => {
      const root = ledger();
      try {
        const writer = new DynamoDbLedger({
          client: root.documentClient,
          tableName: up.ledgerTable.name,
          outcomeEvents: true,
        });
        for (const record of [owed, fresh, sent]) await writer.recordTerminal(record);
        const stored = await root.ledger.get(sent.alertId, 'fail');
        await root.outcomes?.events.markSent(stored as LedgerRecord, { at: new Date(), messageId: 'm-0' });
      } finally {
        root.destroy();
      }
    });

    it('audit resend --dry-run lists the events pending for a minute or more, from byPendingEvent, and sends nothing', async () => {
      const { code, stdout } = await cli(
        'audit',
        'resend',
        '--dry-run',
        '--json',
        '--table',
        up.ledgerTable.name,
      );

      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        servedBy: string;
        entries: Array<{ record: LedgerRecord; result: string }>;
      };
      expect(report.servedBy).toBe('byPendingEvent');
      const results = Object.fromEntries(report.entries.map((e) => [e.record.alertId, e.result]));
      expect(results[owed.alertId]).toBe('would-send');
      expect(results[fresh.alertId]).toBeUndefined();
      expect(results[sent.alertId]).toBeUndefined();
      expect(proxy.requests.filter((r) => r.service === 'sns')).toEqual([]);
      expect(dynamoCalls()).toEqual([{ action: 'Query', index: 'byPendingEvent' }]);
    });

    it('audit resend sends them, says so in a table, and leaves nothing pending', async () => {
      const subscriber = await subscribe({ outcome: ['failed'], account: [B] });

      const { code, stdout } = await cli(
        'audit',
        'resend',
        '--table',
        up.ledgerTable.name,
        '--topic-arn',
        topicArn,
        '--since',
        '1h',
      );

      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^RECORDED\s+ALERT\s+EVENT\s+ACCOUNT\s+OUTCOME\s+FAILED PUBLISHES\s+RESULT$/);
      expect(lines.find((l) => l.includes(owed.alertId))).toMatch(/failed\s+0\s+sent \S+$/);
      expect(lines.at(-1)).toMatch(
        /pending outcome events? written before .*, oldest first \(index byPendingEvent\): \d+ sent$/,
      );
      const received = await receiveOutcomeEvents(sqs, subscriber.queueUrl, { count: 1, idleSeconds: 1 });
      expect(received.map(({ event }) => event.findingId)).toEqual([owed.alertId]);
      expect(dynamoCalls().filter((c) => c.action === 'Scan')).toEqual([]);
      expect(dynamoCalls()[0]).toEqual({ action: 'Query', index: 'byPendingEvent' });

      const second = await cli(
        'audit',
        'resend',
        '--json',
        '--table',
        up.ledgerTable.name,
        '--topic-arn',
        topicArn,
        '--since',
        '1h',
      );
      const report = JSON.parse(second.stdout) as { entries: Array<{ record: LedgerRecord }> };
      expect(report.entries.map((e) => e.record.alertId)).not.toContain(owed.alertId);
    });

    it('audit resend refuses to send without a topic, in one line', async () => {
      const { code, stderr } = await cli('audit', 'resend', '--table', up.ledgerTable.name);
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^remediation-hub: no outcome topic: pass --topic-arn ARN or set OUTCOME_TOPIC_ARN/,
      );
    });

    it('audit stats counts by outcome, account, source and control from byOutcome, one query per outcome, never a scan', async () => {
      const { code, stdout } = await cli(
        'audit',
        'stats',
        '--since',
        '1h',
        '--json',
        '--table',
        up.ledgerTable.name,
      );

      expect(code).toBe(0);
      const stats = JSON.parse(stdout) as {
        servedBy: string;
        byAccount: Array<{ key: string; total: number; outcomes: Record<string, number> }>;
        byControl: Array<{ key: string; total: number }>;
        timeToCloseSeconds: { count: number; p95: number };
      };
      expect(stats.servedBy).toBe('byOutcome, one query per outcome');
      expect(stats.byAccount.find((row) => row.key === B)).toEqual({
        key: B,
        total: 3,
        outcomes: { failed: 1, remediated: 2 },
      });
      expect(stats.byControl.find((row) => row.key === 'AWS:EC2-004')).toMatchObject({ total: 1 });
      // Two seeded remediations closed 90 s after their source saw them; the first test's alert, years after.
      expect(stats.timeToCloseSeconds).toMatchObject({ count: 3, p50: 90 });
      const calls = dynamoCalls();
      expect(calls.length).toBeGreaterThanOrEqual(10);
      expect(calls.every((c) => c.action === 'Query' && c.index === 'byOutcome')).toBe(true);

      const table = await cli('audit', 'stats', '--since', '1h', '--table', up.ledgerTable.name);
      expect(table.stdout).toMatch(/^OUTCOME\s+RECORDS\n/);
      expect(table.stdout).toMatch(new RegExp(`\\n${B}\\s+3\\s+remediated 2, failed 1\\n`));
      expect(table.stdout).toMatch(
        /time to close \(\d+ remediated\): p50 [\d.]+ s, p95 [\d.]+ s, max [\d.]+ s\n$/,
      );
    });
  });
});
