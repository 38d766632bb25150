import type { LedgerRecord } from '@remediation-hub/core';
import {
  awsQueryError,
  createGroup,
  ec2Error,
  makeAlert,
  sqsEvent,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { HubMetrics } from '../../src/metrics/HubMetrics.js';
import { invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333430-439 belong to this file; 439 is never on the allow-list.
const A = '333333333430';
const B = '333333333431';
const NOT_ALLOWED = '333333333439';

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [member: string]: unknown;
}

/** The EMF documents that define `metric`, each reduced to its dimension sets, dimension values and value. */
function documentsOf(documents: EmfDocument[], metric: string) {
  return documents
    .filter((d) => d._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === metric)))
    .map((d) => {
      const [directive] = d._aws.CloudWatchMetrics;
      const keys = [...new Set(directive?.Dimensions.flat())];
      return {
        dimensions: directive?.Dimensions,
        values: Object.fromEntries(keys.map((k) => [k, d[k]])),
        value: d[metric],
        unit: directive?.Metrics.find((x) => x.Name === metric)?.Unit,
      };
    });
}

describe('EMF metrics of a processed batch', () => {
  const hub = useTestHub('metrics', [A, B]);

  it('writes Outcome, TimeToCloseSeconds, AssumeRoleFailure, ThrottledRetries and the batch figures as EMF lines', async () => {
    const fixedGroup = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const failingGroup = await createGroup(B, 'us-east-1', [WORLD_SSH]);
    const fixed = makeAlert({
      id: uniqueName('fixed'),
      accountId: A,
      region: 'us-east-1',
      groupId: fixedGroup,
    });
    const failing = makeAlert({
      id: uniqueName('fail'),
      accountId: B,
      region: 'us-east-1',
      groupId: failingGroup,
    });
    const refused = makeAlert({
      id: uniqueName('refused'),
      accountId: NOT_ALLOWED,
      region: 'us-east-1',
      groupId: fixedGroup,
    });
    const lines: string[] = [];
    const metrics = new HubMetrics({ write: (line) => void lines.push(line) });
    // Three SDK attempts, so that a throttled describe is retried by the SDK (and counted).
    const run = await hub.start({ AWS_MAX_ATTEMPTS: '3' }, { metrics });
    run.proxy.failNext((r) => r.action === 'AssumeRole' && (r.params.RoleArn ?? '').includes(B), {
      status: 403,
      body: awsQueryError('AccessDenied', 'not authorized to perform: sts:AssumeRole'),
    });
    run.proxy.failNext(
      { action: 'DescribeSecurityGroups' },
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );

    const bodies = [fixed, failing, refused, fixed].map((doc) => JSON.stringify(doc));
    await invoke(run, sqsEvent(bodies));

    expect(requestsOf(run, 'DescribeSecurityGroups').length).toBeGreaterThanOrEqual(2);
    // No AWS call for the metrics: they are log lines.
    expect(run.proxy.requests.filter((r) => r.service === 'monitoring' || r.service === 'logs')).toEqual([]);
    const documents = lines.map((line) => JSON.parse(line) as EmfDocument);
    for (const document of documents) {
      expect(document._aws.CloudWatchMetrics).toHaveLength(1);
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe('RemediationHub');
      expect(document.service).toBe('remediation-hub');
      expect(Math.abs(document._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    }

    const outcomes = documentsOf(documents, 'Outcome');
    expect(outcomes).toHaveLength(3);
    for (const doc of outcomes) {
      expect(doc.dimensions).toEqual([
        ['service', 'outcome'],
        ['service', 'outcome', 'source'],
        ['service', 'outcome', 'control'],
      ]);
      expect(doc.unit).toBe('Count');
    }
    expect(outcomes.map((d) => ({ ...d.values, count: d.value }))).toEqual(
      expect.arrayContaining([
        {
          service: 'remediation-hub',
          outcome: 'remediated',
          source: 'evident',
          control: 'AWS:EC2-002',
          count: 1,
        },
        {
          service: 'remediation-hub',
          outcome: 'failed',
          source: 'evident',
          control: 'AWS:EC2-002',
          count: 1,
        },
        {
          service: 'remediation-hub',
          outcome: 'rejected',
          source: 'evident',
          control: 'AWS:EC2-002',
          count: 1,
        },
      ]),
    );

    const record = (await run.root.ledger.get(fixed.data.id, 'fail')) as LedgerRecord;
    const expectedSeconds =
      (Date.parse(record.timings.completedAt ?? '') - Date.parse(record.sourceFirstSeenAt ?? '')) / 1000;
    expect(documentsOf(documents, 'TimeToCloseSeconds')).toEqual([
      {
        dimensions: [['service'], ['service', 'source']],
        values: { service: 'remediation-hub', source: 'evident' },
        value: expectedSeconds,
        unit: 'Seconds',
      },
    ]);
    expect(documentsOf(documents, 'AssumeRoleFailure')).toEqual([
      {
        dimensions: [['service'], ['service', 'account']],
        values: { service: 'remediation-hub', account: B },
        value: 1,
        unit: 'Count',
      },
    ]);
    expect(documentsOf(documents, 'ThrottledRetries')).toEqual([
      {
        dimensions: [['service'], ['service', 'awsService']],
        values: { service: 'remediation-hub', awsService: 'ec2' },
        value: 1,
        unit: 'Count',
      },
    ]);
    const [batch] = documents.filter((d) => 'BatchDurationMs' in d);
    expect(batch?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(batch?.BatchDurationMs).toEqual(expect.any(Number));
    expect(batch).toMatchObject({ MessagesSentBack: 0, DuplicateDeliveries: 1 });
  });

  it('starts afresh after each flush, and writes only the batch figures for a batch of duplicates', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH]);
    const doc = makeAlert({ id: uniqueName('again'), accountId: A, region: 'us-east-1', groupId });
    const lines: string[] = [];
    const run = await hub.start({}, { metrics: new HubMetrics({ write: (line) => void lines.push(line) }) });

    await invoke(run, sqsEvent([JSON.stringify(doc)]));
    lines.length = 0;
    await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(lines.map((line) => Object.keys(JSON.parse(line)).filter((k) => /^[A-Z]/.test(k)))).toEqual([
      ['BatchDurationMs', 'MessagesSentBack', 'DuplicateDeliveries'],
    ]);
  });
});
