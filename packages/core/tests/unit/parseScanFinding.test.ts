import { describe, expect, it } from 'vitest';
import {
  digestOf,
  findControl,
  MalformedAlertError,
  parseFindings,
  planRemediation,
  scanEventKey,
  scanFindingDocument,
} from '../../src/index.js';
import { GROUP_ID, makeGroup, REVOKE, tcp } from '../support/factories.js';

const SSH = findControl('evident', 'AWS:EC2-002');
if (SSH === undefined) throw new Error('the registry has no SSH signature');
const spec = {
  accountId: '111111111111',
  region: 'eu-west-1',
  groupId: GROUP_ID,
  ownerId: '111111111111',
  control: SSH,
  revoke: [tcp(22, 22, '::/0'), tcp(22, 22, '0.0.0.0/0')],
  episode: 1,
  scannedAt: new Date('2027-03-31T12:00:00.000Z'),
};

describe('scan findings', () => {
  it('are read by parseFindings from their own document, keyed by account, region, group and control', () => {
    const [read] = parseFindings(JSON.stringify(scanFindingDocument(spec)));
    expect(read?.finding).toEqual({
      source: 'scan',
      id: `scan:111111111111:eu-west-1:${GROUP_ID}:evident/AWS:EC2-002`,
      eventKey: `open#${digestOf('tcp 22-22 0.0.0.0/0\ntcp 22-22 ::/0')}`,
      status: 'open',
      inactive: undefined,
      accountId: '111111111111',
      accountClaims: [{ field: 'ownerId', accountId: '111111111111' }],
      region: 'eu-west-1',
      groupId: GROUP_ID,
      control: { id: 'evident/AWS:EC2-002', name: 'SSH' },
      riskLevel: null,
      firstSeenAt: '2027-03-31T12:00:00.000Z',
    });
  });

  it('keep their key while the same rules are open, whatever the order or the scan time', () => {
    const again = scanFindingDocument({
      ...spec,
      revoke: [...spec.revoke].reverse(),
      scannedAt: new Date('2028-01-01T00:00:00Z'),
    });
    const first = parseFindings(scanFindingDocument(spec))[0]?.finding;
    const second = parseFindings(again)[0]?.finding;
    expect(second?.eventKey).toBe(first?.eventKey);
    expect(second?.id).toBe(first?.id);
  });

  it('change their key when the rules change, and with the episode', () => {
    const one = scanEventKey(['tcp 22-22 0.0.0.0/0'], 1);
    expect(scanEventKey(['tcp 22-22 ::/0'], 1)).not.toBe(one);
    expect(scanEventKey(['tcp 22-22 0.0.0.0/0'], 2)).toBe(`${one}#2`);
    expect(one).toMatch(/^open#[0-9a-f]{16}$/);
  });

  it('are planned by the hub with the control they name', () => {
    const finding = parseFindings(scanFindingDocument(spec))[0]?.finding;
    if (finding === undefined) throw new Error('not read');
    const plan = planRemediation(finding, makeGroup([tcp(22, 22, '0.0.0.0/0')]), REVOKE);
    expect(plan.decision).toBe('remediate');
    expect(plan.reason).toBe('revoke tcp 22 from 0.0.0.0/0 (evident/AWS:EC2-002, SSH)');
  });

  it.each([
    ['a bad account', { accountId: '1234' }, 'accountId: expected 12 digits, got "1234"'],
    [
      'an unknown region',
      { region: 'mars-1' },
      'region: expected an AWS region such as us-east-1, got "mars-1"',
    ],
    ['no rule', { exposure: [] }, 'exposure: expected at least one rule'],
    ['a rule that is not world-open', { exposure: ['tcp 22-22 10.0.0.0/8'] }, 'exposure[0]: expected a rule'],
    ['episode 0', { episode: 0 }, 'episode: expected a whole number from 1'],
  ])('are refused with %s, naming the field', (_case, change, message) => {
    const [read] = parseFindings({ ...scanFindingDocument(spec), ...change });
    expect(read?.unreadable?.error).toBeInstanceOf(MalformedAlertError);
    expect(read?.unreadable?.error.message).toContain(message);
    expect(read?.unreadable?.source).toBe('scan');
  });
});

describe('digestOf', () => {
  it('is 16 hex digits, the same for the same text and different for another', () => {
    expect(digestOf('')).toBe('cbf29ce484222325');
    expect(digestOf('a')).toBe('af63dc4c8601ec8c');
    expect(digestOf('tcp 22')).not.toBe(digestOf('tcp 23'));
  });
});
