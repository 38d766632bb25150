import { describe, expect, it } from 'vitest';
import { type Finding, MalformedAlertError, parseFindings } from '../../src/index.js';
import {
  loadPrismaCloudAlert,
  type PrismaCloudAlert,
  type PrismaCloudAlertName,
  prismaCloudAlertText,
  prismaCloudTestBody,
} from '../support/prismaCloudAlerts.js';

function parseOne(input: unknown): Finding {
  const read = parseFindings(input);
  expect(read).toHaveLength(1);
  const [first] = read;
  if (first?.unreadable) throw first.unreadable.error;
  return first?.finding as Finding;
}

function parseMutated(mutate: (alert: PrismaCloudAlert) => void, name: PrismaCloudAlertName = 'ssh-open') {
  const alert = loadPrismaCloudAlert(name);
  mutate(alert);
  return parseOne(alert);
}

function errorFor(mutate: (alert: PrismaCloudAlert) => void): MalformedAlertError {
  try {
    parseMutated(mutate);
  } catch (error) {
    if (error instanceof MalformedAlertError) return error;
    throw error;
  }
  throw new Error('expected a MalformedAlertError, but the alert was accepted');
}

/** The alert's `resource` object (the fixtures' is one). */
const resource = (alert: PrismaCloudAlert) => alert.resource as Exclude<PrismaCloudAlert['resource'], string>;

const SSH_OPEN: Finding = {
  source: 'prisma-cloud',
  id: 'P-4471203',
  eventKey: 'open#2024-12-04T08:00:00.000Z',
  status: 'open',
  inactive: undefined,
  accountId: '666666666666',
  accountClaims: [{ field: 'resource.accountId', accountId: '666666666666' }],
  region: 'us-west-2',
  groupId: 'sg-0c1d2e3f4a5b6c7d8',
  control: {
    id: '617b9138-584b-4e8e-ad15-7fbabafbed1a',
    name: 'AWS Security Group allows all traffic on SSH port (22)',
  },
  riskLevel: 'high',
  firstSeenAt: '2024-12-04T08:00:00.000Z',
};

describe('parseFindings: Prisma Cloud alerts', () => {
  describe('reads an SSH alert about a security group', () => {
    it('from the SQS body text', () => {
      expect(parseOne(prismaCloudAlertText('ssh-open'))).toEqual(SSH_OPEN);
    });

    it('from the parsed alert', () => {
      expect(parseOne(loadPrismaCloudAlert('ssh-open'))).toEqual(SSH_OPEN);
    });
  });

  it('reads a resolved alert as not acted on, keyed apart from the open one', () => {
    expect(parseOne(prismaCloudAlertText('ssh-resolved'))).toEqual({
      ...SSH_OPEN,
      eventKey: 'resolved#2024-12-04T09:00:00.000Z',
      status: 'resolved',
      inactive: { field: 'alertStatus', value: 'resolved', actedOn: ['open'] },
    });
  });

  it.each(['dismissed', 'snoozed', 'pending_resolution'])('reads a %s alert as not acted on', (status) => {
    expect(parseMutated((a) => (a.alertStatus = status)).inactive).toEqual({
      field: 'alertStatus',
      value: status,
      actedOn: ['open'],
    });
  });

  describe('keys the notification by status and lastSeen, else firstSeen, else status alone', () => {
    it('a redelivery has the same key; the alert open again later has a new one', () => {
      const first = parseOne(prismaCloudAlertText('ssh-open'));
      expect(parseOne(prismaCloudAlertText('ssh-open')).eventKey).toBe(first.eventKey);
      const reopened = parseMutated((a) => (a.lastSeen = 1733310000000));
      expect(reopened).toMatchObject({ id: first.id, eventKey: 'open#2024-12-04T11:00:00.000Z' });
    });

    it('without lastSeen, by firstSeen; without either, by status', () => {
      expect(parseMutated((a) => (a.lastSeen = null)).eventKey).toBe('open#2024-12-04T08:00:00.000Z');
      const neither = parseMutated((a) => {
        delete a.lastSeen;
        delete a.firstSeen;
      });
      expect(neither).toMatchObject({ eventKey: 'open', firstSeenAt: null });
    });
  });

  it('reads absent optional fields', () => {
    const finding = parseMutated((a) => {
      delete a.policyName;
      a.severity = null;
      delete a.cloudType;
      delete resource(a).regionId;
    });
    expect(finding).toMatchObject({
      control: { id: '617b9138-584b-4e8e-ad15-7fbabafbed1a', name: '617b9138-584b-4e8e-ad15-7fbabafbed1a' },
      riskLevel: null,
      region: 'us-west-2',
    });
  });

  it('reads an alert of a policy the hub does not know (the planner calls it unsupported)', () => {
    expect(parseMutated((a) => (a.policyId = '566686e8-0581-4df5-ae22-5a901ed37b58')).control.id).toBe(
      '566686e8-0581-4df5-ae22-5a901ed37b58',
    );
  });

  it('lists resource.accountId as a claim, for the hub to reject a mismatch', () => {
    expect(parseMutated((a) => (resource(a).accountId = '777777777777')).accountClaims).toEqual([
      { field: 'resource.accountId', accountId: '777777777777' },
    ]);
  });

  describe('reads the integration’s test message as not acted on, never as an error', () => {
    it('the test record (sender Test Notification, alertId T-0, an instance id)', () => {
      const finding = parseOne(prismaCloudTestBody());
      expect(finding).toEqual({
        source: 'prisma-cloud',
        id: 'T-0',
        eventKey: 'test',
        status: 'test',
        inactive: { field: 'sender', value: 'Test Notification', actedOn: [], testMessage: true },
        accountId: '123456789012',
        accountClaims: [],
        region: 'us-west-2',
        groupId: 'unknown',
        control: { id: '11111111-1111-1111-1111-111111111111', name: 'Test Notification' },
        riskLevel: null,
        firstSeenAt: null,
      });
    });

    it('alertId P-0 with nothing else usable', () => {
      const finding = parseOne({
        alertId: 'P-0',
        alertStatus: 'open',
        firstSeen: 1733299200000,
        resource: {},
      });
      expect(finding).toMatchObject({
        id: 'P-0',
        eventKey: 'open#2024-12-04T08:00:00.000Z',
        status: 'open',
        inactive: { field: 'alertId', value: 'P-0', actedOn: [], testMessage: true },
        accountId: 'unknown',
        region: 'unknown',
        groupId: 'unknown',
        control: { id: 'unknown', name: 'Test Notification' },
      });
    });

    it('a test with an unusable account, region or policy keeps them unknown', () => {
      const finding = parseOne({
        sender: 'Test Notification',
        alertId: 'T-0',
        accountId: 'Test',
        resourceRegionId: 'global',
        policyId: '',
        policyName: 'Test policy',
      });
      expect(finding).toMatchObject({
        accountId: 'unknown',
        region: 'unknown',
        control: { id: 'unknown', name: 'Test policy' },
      });
    });

    it('is not a real alert that names a usable group, which is read and checked as any alert', () => {
      const finding = parseMutated((a) => (a.alertId = 'P-0'));
      expect(finding).toMatchObject({ id: 'P-0', inactive: undefined, groupId: 'sg-0c1d2e3f4a5b6c7d8' });
      expect(() => parseMutated((a) => (a.sender = 'Test Notification'))).not.toThrow();
    });

    it('is read as an alert, and refused, when its id is not of a safe shape', () => {
      const [read] = parseFindings({ sender: 'Test Notification', alertId: 'a b', policyId: 'x' });
      expect(read?.unreadable?.error.message).toBe(
        'alertStatus: expected one of open, resolved, dismissed, snoozed, pending_resolution, got nothing',
      );
    });
  });

  describe('rejects a malformed alert with a one-line message naming the field', () => {
    it.each<[string, (a: PrismaCloudAlert) => void, string]>([
      ['a numeric alertId', (a) => (a.alertId = 2388888), 'alertId: expected a string, got 2388888'],
      ['an empty alertId', (a) => (a.alertId = ''), 'alertId: expected a non-empty string, got ""'],
      [
        'an alertId over 1,024 bytes',
        (a) => (a.alertId = `P-${'9'.repeat(1100)}`),
        `alertId: expected at most 1,024 UTF-8 bytes, got "P-${'9'.repeat(57)}…`,
      ],
      [
        'an unknown status',
        (a) => (a.alertStatus = 'OPEN'),
        'alertStatus: expected one of open, resolved, dismissed, snoozed, pending_resolution, got "OPEN"',
      ],
      ['another cloud', (a) => (a.cloudType = 'azure'), 'cloudType: expected "aws", got "azure"'],
      ['a short account', (a) => (a.accountId = '12345'), 'accountId: expected 12 digits, got "12345"'],
      [
        'an unknown region',
        (a) => (a.resourceRegionId = 'global'),
        'resourceRegionId: expected an AWS region such as us-east-1, got "global"',
      ],
      [
        'a region name instead of its id',
        (a) => (a.resourceRegionId = 'AWS Oregon'),
        'resourceRegionId: expected an AWS region such as us-east-1, got "AWS Oregon"',
      ],
      [
        'a resource that is not a security group',
        (a) => (a.resourceId = 'i-0123456789abcdef0'),
        'resourceId: expected a security group id (sg-...), got "i-0123456789abcdef0"',
      ],
      [
        'a group ARN instead of its id',
        (a) => (a.resourceId = 'arn:aws:ec2:us-west-2:666666666666:security-group/sg-0c1d2e3f4a5b6c7d8'),
        'resourceId: expected a security group id (sg-...), got "arn:aws:ec2:us-west-2:666666666666:security-group/sg-0c1d2e…',
      ],
      [
        'no policy',
        (a) => delete (a as Partial<PrismaCloudAlert>).policyId,
        'policyId: expected a string, got nothing',
      ],
      ['a numeric policy name', (a) => (a.policyName = 7), 'policyName: expected a string or null, got 7'],
      ['a numeric severity', (a) => (a.severity = 3), 'severity: expected a string or null, got 3'],
      [
        'a firstSeen in seconds as a string',
        (a) => (a.firstSeen = '1733299200'),
        'firstSeen: expected epoch milliseconds (an integer) or null, got "1733299200"',
      ],
      [
        'a lastSeen beyond year 9999',
        (a) => (a.lastSeen = 8.64e15),
        'lastSeen: expected epoch milliseconds (an integer) or null, got 8640000000000000',
      ],
      [
        'a negative lastSeen',
        (a) => (a.lastSeen = -1),
        'lastSeen: expected epoch milliseconds (an integer) or null, got -1',
      ],
      [
        'a fractional firstSeen',
        (a) => (a.firstSeen = 1.5),
        'firstSeen: expected epoch milliseconds (an integer) or null, got 1.5',
      ],
      ['a resource that is a string', (a) => (a.resource = 'sg'), 'resource: expected an object, got "sg"'],
      [
        'a resource without its account',
        (a) => delete resource(a).accountId,
        'resource.accountId: expected 12 digits, got nothing',
      ],
      [
        'a resource region that is not resourceRegionId',
        (a) => (resource(a).regionId = 'ap-northeast-1'),
        'resource.regionId: expected the region of resourceRegionId (us-west-2), got "ap-northeast-1"',
      ],
    ])('%s', (_case, mutate, message) => {
      const error = errorFor(mutate);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('\n');
      expect(error.field).toBe(message.slice(0, message.indexOf(':')));
      expect(error.retryable).toBe(false);
    });

    it('rejects the real S3 sample: its resourceId is no group', () => {
      const [read] = parseFindings(prismaCloudAlertText('s3-sample'));
      expect(read?.unreadable).toMatchObject({
        source: 'prisma-cloud',
        key: { id: 'P-2388888', eventKey: 'open#2021-09-16T04:02:44.198Z', status: 'open' },
      });
      expect(read?.unreadable?.error.message).toBe(
        'resourceId: expected a security group id (sg-...), got "foobar"',
      );
    });

    it('names the alert in the error once its id is readable', () => {
      expect(errorFor((a) => (a.accountId = 'x')).alertId).toBe('P-4471203');
    });
  });
});
