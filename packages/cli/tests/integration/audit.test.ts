import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerRecord, Outcome } from '@remediation-hub/core';
import { DynamoDbLedger } from '@remediation-hub/hub-handler';
import {
  awsClientConfig,
  createLedgerTable,
  type RecordingProxy,
  startRecordingProxy,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import { type AuditFilters, listAuditRecords } from '../../src/operations/listAuditRecords.js';

// Accounts of this file only; the table is this file's own.
const A = '555555556601';
const B = '555555556602';
const HOUR = 3_600_000;
const now = Date.now();
const at = (msAgo: number) => new Date(now - msAgo).toISOString();

function seed(
  alertId: string,
  fields: Partial<LedgerRecord> & { outcome: Outcome; recordedAt: string },
): LedgerRecord {
  return {
    alertId,
    eventKey: 'fail',
    alertStatus: 'fail',
    state: 'completed',
    expiresAt: 0,
    signature: { identifier: 'AWS:EC2-002', name: 'Global SSH' },
    revoked: [],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: { firstSeenAt: fields.recordedAt, startedAt: fields.recordedAt },
    ...fields,
  };
}

const RECORDS = {
  r1: seed('audit-r1', {
    accountId: A,
    region: 'us-east-1',
    resourceId: 'sg-0a1',
    outcome: 'remediated',
    source: 'evident',
    recordedAt: at(1 * HOUR),
    revoked: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    permissionsBefore: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
      },
    ],
    permissionsAfter: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
    requestIds: ['11111111-2222-3333-4444-555555555555'],
    roleArn: `arn:aws:iam::${A}:role/remediation-hub/RemediationHubMemberRole`,
  }),
  r2: seed('audit-r2', {
    accountId: A,
    region: 'eu-west-1',
    resourceId: 'sg-0a2',
    outcome: 'exempt',
    source: 'security-hub',
    recordedAt: at(2 * HOUR),
  }),
  r3: seed('audit-r3', {
    accountId: B,
    region: 'us-east-1',
    resourceId: 'sg-0b1',
    outcome: 'remediated',
    source: 'prisma-cloud',
    recordedAt: at(3 * HOUR),
  }),
  r4: seed('audit-r4', {
    accountId: B,
    region: 'us-east-1',
    resourceId: 'sg-0b1',
    outcome: 'already-compliant',
    source: 'security-hub',
    recordedAt: at(10 * 24 * HOUR),
  }),
  r5: seed('audit-r5', {
    accountId: A,
    region: 'us-east-1',
    resourceId: 'sg-0a1',
    outcome: 'ignored',
    eventKey: 'pass',
    alertStatus: 'pass',
    recordedAt: at(0.5 * HOUR),
  }),
};

describe('audit list', () => {
  const tableName = `audit-test-${randomBytes(4).toString('hex')}`;
  let proxy: RecordingProxy;
  let ledger: DynamoDbLedger;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    dynamodb = new DynamoDBClient(awsClientConfig({ endpoint: proxy.endpoint }));
    await createLedgerTable(dynamodb, tableName);
    ledger = new DynamoDbLedger({
      client: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    });
    for (const record of Object.values(RECORDS)) await ledger.recordTerminal(record);
  });
  afterAll(async () => {
    dynamodb.destroy();
    await proxy.close();
  });
  beforeEach(() => proxy.clear());

  const ids = (records: LedgerRecord[]) => records.map((r) => r.alertId.replace('audit-', ''));
  /** What reached DynamoDB for one listing: the operation and, for queries, the index and key condition. */
  const dynamoCalls = () =>
    proxy.requests
      .filter((r) => r.service === 'dynamodb')
      .map((r) => {
        const body = JSON.parse(r.body) as { IndexName?: string; KeyConditionExpression?: string };
        return { action: r.action, index: body.IndexName, keyCondition: body.KeyConditionExpression };
      });
  const list = (filters: Partial<AuditFilters>) => listAuditRecords(ledger, { limit: 50, ...filters });

  it('lists one account newest first from the byAccount index', async () => {
    const { records, servedBy } = await list({ accountId: A });
    expect(ids(records)).toEqual(['r5', 'r1', 'r2']);
    expect(servedBy).toBe('byAccount');
    expect(dynamoCalls()).toEqual([{ action: 'Query', index: 'byAccount', keyCondition: '#pk = :pk' }]);
  });

  it('lists one source newest first from the bySource index, never a scan, with --since as its key condition', async () => {
    const { records, servedBy } = await list({ source: 'security-hub' });
    expect(ids(records)).toEqual(['r2', 'r4']);
    expect(servedBy).toBe('bySource');
    expect(dynamoCalls()).toEqual([{ action: 'Query', index: 'bySource', keyCondition: '#pk = :pk' }]);

    proxy.clear();
    const recent = await list({ source: 'security-hub', since: new Date(Date.parse(at(24 * HOUR))) });
    expect(ids(recent.records)).toEqual(['r2']);
    expect(dynamoCalls()).toEqual([
      { action: 'Query', index: 'bySource', keyCondition: '#pk = :pk AND #sk >= :since' },
    ]);
  });

  it('lists one security group from the byResource index', async () => {
    const { records } = await list({ resourceId: 'sg-0b1' });
    expect(ids(records)).toEqual(['r3', 'r4']);
    expect(dynamoCalls().map((c) => [c.action, c.index])).toEqual([['Query', 'byResource']]);
  });

  it('lists one outcome from the byOutcome index', async () => {
    const { records } = await list({ outcome: 'remediated' });
    expect(ids(records)).toEqual(['r1', 'r3']);
    expect(dynamoCalls().map((c) => [c.action, c.index])).toEqual([['Query', 'byOutcome']]);
  });

  it('answers --since on the index sort key, not by filtering a scan', async () => {
    const { records } = await list({ accountId: B, since: new Date(now - 7 * 24 * HOUR) });
    expect(ids(records)).toEqual(['r3']);
    expect(dynamoCalls()).toEqual([
      { action: 'Query', index: 'byAccount', keyCondition: '#pk = :pk AND #sk >= :since' },
    ]);
  });

  it('narrows an index query by the other filters', async () => {
    const { records } = await list({ accountId: A, region: 'us-east-1', outcome: 'remediated' });
    expect(ids(records)).toEqual(['r1']);
    expect(dynamoCalls().map((c) => c.index)).toEqual(['byAccount']);
  });

  it('stops at --limit, keeping the newest', async () => {
    const { records } = await list({ accountId: A, limit: 2 });
    expect(ids(records)).toEqual(['r5', 'r1']);
  });

  it('answers --region alone from every outcome partition of byOutcome, never with a scan', async () => {
    const { records, servedBy } = await list({ region: 'eu-west-1' });
    expect(ids(records)).toEqual(['r2']);
    expect(servedBy).toBe('byOutcome, every outcome');
    const calls = dynamoCalls();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.action === 'Query' && c.index === 'byOutcome')).toBe(true);
  });

  it('lists everything newest first without a scan when no filter is given', async () => {
    const { records } = await list({});
    expect(ids(records)).toEqual(['r5', 'r1', 'r2', 'r3', 'r4']);
    expect(dynamoCalls().some((c) => c.action === 'Scan')).toBe(false);
  });

  describe('on the command line', () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false };
      const code = await main(argv, io);
      return { code, stdout: out.join(''), stderr: err.join('') };
    };

    it('prints an aligned table, newest first, and the index that answered', async () => {
      const { code, stdout } = await run('audit', 'list', '--table', tableName, '--account', A);
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^RECORDED\s+ALERT\s+EVENT\s+SOURCE\s+ACCOUNT\s+REGION\s+GROUP\s+CONTROL\s+OUTCOME\s+CHANGES$/,
      );
      expect(lines.slice(1, 4).map((l) => l.split(/\s{2,}/)[1])).toEqual([
        'audit-r5',
        'audit-r1',
        'audit-r2',
      ]);
      const outcomeColumn = lines[0]?.indexOf('OUTCOME') ?? -1;
      expect(lines.slice(1, 4).map((l) => l.slice(outcomeColumn).split(' ')[0])).toEqual([
        'ignored',
        'remediated',
        'exempt',
      ]);
      expect(lines[2]).toMatch(/revoked 1$/);
      // r5 has no source: written before the hub recorded one, so Evident's.
      const sourceColumn = lines[0]?.indexOf('SOURCE') ?? -1;
      expect(lines.slice(1, 4).map((l) => l.slice(sourceColumn).split(' ')[0])).toEqual([
        'evident',
        'evident',
        'security-hub',
      ]);
      expect(lines.at(-1)).toBe('3 records, newest first (index byAccount)');
    });

    it('lists the records stuck in progress (lease expired), oldest lease first, from the byLease index', async () => {
      const now = Date.now();
      const stuck = `audit-stuck-${randomBytes(3).toString('hex')}`;
      const leased = `audit-leased-${randomBytes(3).toString('hex')}`;
      // A worker claimed it an hour ago and died; another holds a lease that is still live.
      await ledger.claim({
        alertId: stuck,
        eventKey: 'fail',
        alertStatus: 'fail',
        owner: 'a-dead-worker',
        leaseSeconds: 120,
        now: new Date(now - 3_600_000),
        fields: { accountId: A, region: 'us-east-1', resourceId: 'sg-0c1' },
      });
      await ledger.claim({
        alertId: leased,
        eventKey: 'fail',
        alertStatus: 'fail',
        owner: 'a-live-worker',
        leaseSeconds: 120,
        now: new Date(now),
        fields: { accountId: A },
      });
      proxy.clear();

      const { code, stdout } = await run('audit', 'list', '--table', tableName, '--stuck', '--json');

      expect(code).toBe(0);
      const document = JSON.parse(stdout) as { servedBy: string; records: LedgerRecord[] };
      expect(document.servedBy).toBe('byLease');
      expect(document.records.map((r) => r.alertId)).toContain(stuck);
      expect(document.records.map((r) => r.alertId)).not.toContain(leased);
      expect(document.records.every((r) => r.state === 'in-progress')).toBe(true);
      const table = await run('audit', 'list', '--table', tableName, '--stuck');
      expect(table.stdout).toMatch(
        /^LEASE EXPIRED\s+ALERT\s+EVENT\s+ACCOUNT\s+REGION\s+GROUP\s+ATTEMPTS\s+LAST ERROR$/m,
      );
      expect(table.stdout).toMatch(/lease expired, oldest first \(index byLease\)/);
      const refused = await run('audit', 'list', '--table', tableName, '--stuck', '--account', A);
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toMatch(/--stuck lists every account, region and group: it takes only --limit/);
    });

    it('filters by --source through the bySource index', async () => {
      const { code, stdout } = await run('audit', 'list', '--table', tableName, '--source', 'prisma-cloud');
      expect(code).toBe(0);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('1 record, newest first (index bySource)');
      expect(stdout).toContain('audit-r3');
      const bad = await run('audit', 'list', '--table', tableName, '--source', 'qualys');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(
        /--source <source>' argument 'qualys' is invalid. Allowed choices are evident, security-hub, prisma-cloud/,
      );
    });

    it('prints one JSON document with --json', async () => {
      const { code, stdout } = await run(
        'audit',
        'list',
        '--table',
        tableName,
        '--outcome',
        'remediated',
        '--since',
        '7d',
        '--json',
      );
      expect(code).toBe(0);
      const document = JSON.parse(stdout) as { servedBy: string; count: number; records: LedgerRecord[] };
      expect(document.servedBy).toBe('byOutcome');
      expect(document.records.map((r) => r.alertId)).toEqual(['audit-r1', 'audit-r3']);
    });

    it.each([
      [['--since', 'last week'], /--since expects a duration such as 30m, 24h, 7d, 2w/],
      [
        ['--outcome', 'fixed'],
        /--outcome <outcome>' argument 'fixed' is invalid. Allowed choices are remediated, /,
      ],
      [['--account', '1234'], /expected a 12-digit AWS account id, got 1234/],
      [['--limit', '0'], /expected a whole number from 1 to 10000, got 0/],
    ])('refuses %j with one line on stderr and exit code 2', async (args, message) => {
      const { code, stdout, stderr } = await run('audit', 'list', '--table', tableName, ...args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    });

    it('shows one alert in full: ingress before and after, what was revoked, request ids, role', async () => {
      const { code, stdout } = await run('audit', 'show', 'audit-r1', '--table', tableName);
      expect(code).toBe(0);
      expect(stdout).toContain('audit-r1  fail  remediated');
      expect(stdout).toMatch(/revoked:\n {4}tcp 22 from 0\.0\.0\.0\/0/);
      expect(stdout).toMatch(
        /ingress before:\n {4}tcp 22 from 0\.0\.0\.0\/0\n {4}tcp 22 from 10\.0\.0\.0\/8/,
      );
      expect(stdout).toMatch(/ingress after:\n {4}tcp 22 from 10\.0\.0\.0\/8/);
      expect(stdout).toMatch(/request ids:\n {4}11111111-2222-3333-4444-555555555555/);
      expect(stdout).toContain(
        `role:         arn:aws:iam::${A}:role/remediation-hub/RemediationHubMemberRole`,
      );
    });

    it('shows one alert as JSON with --json', async () => {
      const { code, stdout } = await run('audit', 'show', 'audit-r1', '--table', tableName, '--json');
      expect(code).toBe(0);
      const document = JSON.parse(stdout) as { alertId: string; records: LedgerRecord[] };
      expect(document.records).toHaveLength(1);
      expect(document.records[0]?.permissionsAfter).toEqual(RECORDS.r1.permissionsAfter);
    });

    it('says in one line, exit code 2, that an unknown alert has no record', async () => {
      const { code, stderr } = await run('audit', 'show', 'no-such-alert', '--table', tableName);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `remediation-hub: no ledger record for alert no-such-alert in table ${tableName}\n`,
      );
    });

    it('asks for the table when neither --table nor LEDGER_TABLE names it', async () => {
      const saved = process.env.LEDGER_TABLE;
      delete process.env.LEDGER_TABLE;
      try {
        const { code, stderr } = await run('audit', 'list');
        expect(code).toBe(2);
        expect(stderr).toMatch(/^remediation-hub: no ledger table: pass --table NAME or set LEDGER_TABLE/);
      } finally {
        if (saved !== undefined) process.env.LEDGER_TABLE = saved;
      }
    });
  });
});
