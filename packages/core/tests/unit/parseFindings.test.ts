import { describe, expect, it } from 'vitest';
import { MalformedAlertError, parseFindings, targetOf } from '../../src/index.js';
import { loadSampleAlert, loadSampleEnvelope } from '../support/evidentEvents.js';
import { loadPrismaCloudAlert } from '../support/prismaCloudAlerts.js';
import { eventWith, loadSecurityHubEvent, loadSecurityHubFinding } from '../support/securityHubEvents.js';

const unreadableOf = (input: unknown) => {
  const read = parseFindings(input);
  expect(read).toHaveLength(1);
  const [first] = read;
  expect(first?.finding).toBeUndefined();
  expect(first?.unreadable?.error).toBeInstanceOf(MalformedAlertError);
  return first?.unreadable;
};

describe('parseFindings', () => {
  it('never throws for bad input: a message it cannot read is one unreadable finding, with no key', () => {
    expect(unreadableOf('not json')).toMatchObject({
      source: undefined,
      key: undefined,
      error: { field: 'message' },
    });
    expect(unreadableOf({ Type: 'Notification', Message: 7 })).toMatchObject({ key: undefined });
  });

  it('gives reasons of whole characters only, whatever the input: a lone surrogate is not UTF-8 and no ledger takes it', () => {
    // JSON.parse names the code unit it stopped at: here the first half of an emoji.
    const cut = '{"data":😀';
    // Describing a long value cuts it at 60 code units: here in the middle of an emoji.
    const long = loadSampleAlert();
    long.data.id = '😀'.repeat(600);
    for (const input of [cut, JSON.stringify(long)]) {
      const message = unreadableOf(input)?.error.message ?? '';
      expect(message).toMatch(/\S/);
      // encodeURIComponent throws on a lone surrogate.
      expect(() => encodeURIComponent(message), message).not.toThrow();
    }
  });

  it('keys a refused Evident document by its id and status when they can be read', () => {
    const doc = { data: { id: '1306879672', attributes: { status: 'fail' } }, included: 'not a list' };
    expect(unreadableOf(JSON.stringify(doc))).toMatchObject({
      source: 'evident',
      key: { id: '1306879672', eventKey: 'fail', status: 'fail' },
      error: { field: 'data.attributes.resource' },
    });
  });

  it('reads the key through an SNS envelope', () => {
    const envelope = loadSampleEnvelope();
    const doc = { data: { id: '42', attributes: { status: 'warn' } } };
    envelope.Message = JSON.stringify(doc);
    expect(unreadableOf(envelope)?.key).toEqual({ id: '42', eventKey: 'warn', status: 'warn' });
  });

  it('keys a readable id with an unreadable status as unknown', () => {
    expect(unreadableOf({ data: { id: '42', attributes: { status: 7 } } })?.key).toEqual({
      id: '42',
      eventKey: 'unknown',
      status: 'unknown',
    });
  });

  it('gives no key for missing ids and ids of an unsafe shape', () => {
    expect(unreadableOf({ data: {} })?.key).toBeUndefined();
    expect(unreadableOf({ data: { id: 'a b\n{"x":1}' } })?.key).toBeUndefined();
    expect(unreadableOf({ data: { id: 'x'.repeat(300) } })?.key).toBeUndefined();
  });

  it('reads a good alert as one finding', () => {
    const [read] = parseFindings(loadSampleAlert());
    expect(read?.finding).toMatchObject({ source: 'evident', id: '1306879672', eventKey: 'fail' });
  });

  it.each([5_000, 100_000])(
    'refuses a value nested %i levels deep in a checked field with a one-line reason, never a crash',
    (depth) => {
      const text = JSON.stringify(loadSampleAlert()).replace(
        '"resource":"sg-xxxxxxxxxxxxxxxxx"',
        `"resource":${'['.repeat(depth)}${']'.repeat(depth)}`,
      );
      const unreadable = unreadableOf(text);
      expect(unreadable).toMatchObject({ source: 'evident', key: { id: '1306879672', eventKey: 'fail' } });
      expect(unreadable?.error.message).toBe(
        'data.attributes.resource: expected a string, got an array too deeply nested to show',
      );
      expect(unreadable?.error.message).not.toContain('\n');
    },
  );

  it('names where a finding’s group lives, as the gateway needs it', () => {
    const finding = parseFindings(loadPrismaCloudAlert('ssh-open'))[0]?.finding;
    expect(finding && targetOf(finding)).toEqual({
      accountId: '666666666666',
      region: 'us-west-2',
      groupId: 'sg-0c1d2e3f4a5b6c7d8',
    });
  });
});

describe('parseFindings: which source, by the message’s shape', () => {
  it.each<[string, unknown, string]>([
    ['an EventBridge event of Security Hub', loadSecurityHubEvent('ec2.18-consolidated'), 'security-hub'],
    ['a bare ASFF finding', loadSecurityHubFinding('ec2.18-consolidated'), 'security-hub'],
    ['a Prisma Cloud alert', loadPrismaCloudAlert('ssh-open'), 'prisma-cloud'],
    ['an Evident alert', loadSampleAlert(), 'evident'],
  ])('reads %s', (_case, document, source) => {
    expect(parseFindings(document)[0]?.finding?.source).toBe(source);
  });

  it.each<[string, unknown, string, string]>([
    [
      'an event that says it is Security Hub’s by detail-type',
      { 'detail-type': 'Security Hub Findings - Imported' },
      'security-hub',
      'source: expected "aws.securityhub", got nothing',
    ],
    [
      'an event that says it is Security Hub’s by source',
      { source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Custom Action', detail: {} },
      'security-hub',
      'detail-type: expected "Security Hub Findings - Imported", got "Security Hub Findings - Custom Action"',
    ],
    [
      'an event of findings from another source',
      { source: 'aws.inspector2', 'detail-type': 'x', detail: { findings: [] } },
      'security-hub',
      'source: expected "aws.securityhub", got "aws.inspector2"',
    ],
    [
      'a Security Hub event without findings',
      { ...loadSecurityHubEvent('ec2.18-consolidated'), detail: { findings: [] } },
      'security-hub',
      'detail.findings: expected at least one finding, got []',
    ],
    [
      'a Security Hub event whose findings are not a list',
      { ...loadSecurityHubEvent('ec2.18-consolidated'), detail: { findings: {} } },
      'security-hub',
      'detail.findings: expected an array of findings, got {}',
    ],
    [
      'a Prisma Cloud alert without a policy',
      { alertId: 'P-1', alertStatus: 'open' },
      'prisma-cloud',
      'accountId: expected 12 digits, got nothing',
    ],
    ['anything else, as Evident', { alertId: 'P-1' }, 'evident', 'data: expected an object, got nothing'],
  ])('refuses %s as one unreadable finding of that source', (_case, document, source, message) => {
    expect(unreadableOf(document)).toMatchObject({ source, error: { message } });
  });

  it('reads an Evident document that happens to carry alertId as Evident', () => {
    const document = { ...loadSampleAlert(), alertId: 'P-1', alertStatus: 'open' };
    expect(parseFindings(document)[0]?.finding?.source).toBe('evident');
  });
});

describe('parseFindings: an event of several findings', () => {
  it('reads each finding on its own, in order', () => {
    const read = parseFindings(loadSecurityHubEvent('multi-finding'));
    expect(read.map((entry) => entry.finding?.control.id)).toEqual(['EC2.13', 'EC2.14']);
    expect(new Set(read.map((entry) => entry.finding?.id)).size).toBe(2);
  });

  it('a bad finding among good ones is one unreadable entry, keyed by its id, and spoils none of the others', () => {
    const [first, second] = loadSecurityHubEvent('multi-finding').detail.findings;
    const bad = structuredClone(first);
    if (first === undefined || second === undefined || bad === undefined) throw new Error('fixture');
    bad.AwsAccountId = '12345';
    const read = parseFindings(eventWith([first, bad, second, 7]));
    expect(read).toHaveLength(4);
    expect(read[0]?.finding?.control.id).toBe('EC2.13');
    expect(read[1]?.unreadable).toMatchObject({
      source: 'security-hub',
      key: { id: first.Id, eventKey: 'FAILED#2025-03-04T02:15:30.006Z', status: 'FAILED' },
      error: { field: 'detail.findings[1].AwsAccountId' },
    });
    expect(read[2]?.finding?.control.id).toBe('EC2.14');
    expect(read[3]?.unreadable).toMatchObject({
      key: undefined,
      error: { message: 'detail.findings[3]: expected an ASFF finding (an object), got 7' },
    });
  });
});

describe('parseFindings: the key of a refused Security Hub or Prisma Cloud finding', () => {
  it('Security Hub: the Id, and the status and UpdatedAt as far as they can be read', () => {
    const finding = loadSecurityHubFinding('ec2.18-consolidated');
    finding.RecordState = 'GONE';
    finding.UpdatedAt = 'not a time';
    expect(unreadableOf(finding)?.key).toEqual({
      id: finding.Id,
      eventKey: 'FAILED#unknown',
      status: 'FAILED',
    });
    finding.Compliance = 'FAILED' as unknown as typeof finding.Compliance;
    expect(unreadableOf(finding)?.key?.eventKey).toBe('unknown#unknown');
    finding.Id = 'arn with spaces';
    expect(unreadableOf(finding)?.key).toBeUndefined();
  });

  it('Prisma Cloud: the alertId, status and lastSeen, else firstSeen, where they can be read', () => {
    const alert = loadPrismaCloudAlert('ssh-open');
    alert.accountId = 'x';
    alert.lastSeen = 'late';
    expect(unreadableOf(alert)?.key).toEqual({
      id: 'P-4471203',
      eventKey: 'open#2024-12-04T08:00:00.000Z',
      status: 'open',
    });
    alert.firstSeen = undefined;
    expect(unreadableOf(alert)?.key?.eventKey).toBe('open');
  });
});
