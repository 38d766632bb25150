import { describe, expect, it } from 'vitest';
import { findExemption } from '../../src/exemption.js';
import { planRemediation, renderNote, renderReason } from '../../src/index.js';
import { GROUP_ID, makeFinding, makeGroup, REVOKE, tcp } from '../support/factories.js';

const KEY = 'remediation-hub:exempt';
const at = (iso: string) => ({ exemptTagKey: KEY, now: new Date(iso) });
const tagged = (Value: string | undefined) =>
  makeGroup(
    [tcp(22, 22, '0.0.0.0/0')],
    [
      { Key: 'Name', Value: 'web' },
      { Key: KEY, Value },
    ],
  );

describe('findExemption', () => {
  it('finds nothing without the tag, or with the key in another case', () => {
    expect(findExemption(makeGroup([]), at('2027-03-31T00:00:00Z'))).toBeUndefined();
    expect(
      findExemption(
        makeGroup([], [{ Key: 'Remediation-Hub:Exempt', Value: 'true' }]),
        at('2027-03-31T00:00:00Z'),
      ),
    ).toBeUndefined();
  });

  it.each(['true', 'TRUE', 'True'])('is forever for %s', (value) => {
    expect(findExemption(tagged(value), at('2999-01-01T00:00:00Z'))).toEqual({
      kind: 'exempt',
      tag: KEY,
      value,
      until: undefined,
    });
  });

  it.each([
    ['the day before', '2027-03-30T23:59:59.999Z'],
    ['the first millisecond of the day', '2027-03-31T00:00:00.000Z'],
    ['the last millisecond of the day', '2027-03-31T23:59:59.999Z'],
  ])('holds a dated exemption %s (UTC)', (_when, now) => {
    expect(findExemption(tagged('2027-03-31'), at(now))).toEqual({
      kind: 'exempt',
      tag: KEY,
      value: '2027-03-31',
      until: '2027-03-31',
    });
  });

  it.each([
    ['once the day has ended (UTC)', '2027-04-01T00:00:00.000Z'],
    ['a year later', '2028-03-31T12:00:00.000Z'],
    // 23:30 on the 31st in New York is already April 1st in UTC: the day is UTC's.
    ['at a local time that is still the 31st west of UTC', '2027-04-01T03:30:00.000Z'],
  ])('has expired %s', (_when, now) => {
    expect(findExemption(tagged('2027-03-31'), at(now))).toEqual({
      kind: 'expired',
      tag: KEY,
      value: '2027-03-31',
      until: '2027-03-31',
    });
  });

  it.each([
    ['yes'],
    [''],
    ['false'],
    ['2027-02-30'],
    ['2027-13-01'],
    ['2027-3-31'],
    ['31/03/2027'],
    ['2027-03-31T12:00:00Z'],
    [' 2027-03-31'],
    ['0027-03-31'],
  ])('is not an exemption for the value %j', (value) => {
    expect(findExemption(tagged(value), at('2020-01-01T00:00:00Z'))).toEqual({
      kind: 'invalid',
      tag: KEY,
      value,
    });
  });

  it('takes a tag without a value for the empty value', () => {
    expect(findExemption(tagged(undefined), at('2020-01-01T00:00:00Z'))).toEqual({
      kind: 'invalid',
      tag: KEY,
      value: '',
    });
  });

  it('accepts February 29th of a leap year only', () => {
    expect(findExemption(tagged('2028-02-29'), at('2028-02-29T10:00:00Z'))?.kind).toBe('exempt');
    expect(findExemption(tagged('2027-02-29'), at('2027-02-01T10:00:00Z'))?.kind).toBe('invalid');
  });
});

describe('planRemediation with a dated exemption', () => {
  const SSH = makeFinding();
  const control = { id: 'AWS:EC2-002', service: 'SSH' };

  it('is exempt until the end of the day, and says until when', () => {
    const plan = planRemediation(SSH, tagged('2027-03-31'), {
      ...REVOKE,
      now: new Date('2027-03-31T23:59:59Z'),
    });
    expect(plan).toEqual({
      decision: 'exempt',
      revoke: [],
      authorize: [],
      explanation: {
        reason: {
          code: 'exempt',
          groupId: GROUP_ID,
          tag: KEY,
          value: '2027-03-31',
          until: '2027-03-31',
          exposure: 'tcp 22',
          control,
        },
        notes: [],
      },
      reason: `${GROUP_ID} is tagged ${KEY}=2027-03-31 (exempt until the end of 2027-03-31 UTC); tcp 22 left open (AWS:EC2-002, SSH)`,
    });
  });

  it('remediates once it has expired, with the expired exemption in the reason', () => {
    const plan = planRemediation(SSH, tagged('2027-03-31'), {
      ...REVOKE,
      now: new Date('2027-04-01T00:00:00Z'),
    });
    expect(plan.decision).toBe('remediate');
    expect(plan.revoke).toEqual([tcp(22, 22, '0.0.0.0/0')]);
    expect(plan.explanation.notes).toEqual([{ code: 'exemption-expired', tag: KEY, until: '2027-03-31' }]);
    expect(plan.reason).toBe(
      `revoke tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH); the exemption ${KEY}=2027-03-31 expired at the end of 2027-03-31 UTC, so the group is no longer exempt`,
    );
  });

  it('says an expired exemption on a compliant answer too', () => {
    const group = makeGroup([tcp(443, 443, '0.0.0.0/0')], [{ Key: KEY, Value: '2020-01-01' }]);
    const plan = planRemediation(SSH, group, REVOKE);
    expect(plan.decision).toBe('compliant');
    expect(plan.explanation.notes).toEqual([{ code: 'exemption-expired', tag: KEY, until: '2020-01-01' }]);
  });

  it.each(['yes', '', '2027-02-30'])(
    'remediates a group tagged %j and says the value is no exemption',
    (value) => {
      const plan = planRemediation(SSH, tagged(value), REVOKE);
      expect(plan.decision).toBe('remediate');
      expect(plan.explanation.notes).toEqual([{ code: 'exemption-not-understood', tag: KEY, value }]);
      expect(plan.reason).toBe(
        `revoke tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH); the tag ${KEY}=${JSON.stringify(value)} is not an exemption (expected true, or the last day as YYYY-MM-DD such as 2027-03-31), so the group is not exempt`,
      );
    },
  );

  it('keeps the exemption notes before narrow notes', () => {
    const group = makeGroup(
      [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      [{ Key: KEY, Value: 'no' }],
    );
    const plan = planRemediation(SSH, group, { ...REVOKE, strategy: 'narrow' });
    expect(plan.explanation.notes.map((note) => note.code)).toEqual([
      'exemption-not-understood',
      'all-traffic-revoked-whole',
    ]);
  });
});

describe('the exemption in English', () => {
  it('renders a permanent exemption as before', () => {
    expect(
      renderReason({
        code: 'exempt',
        groupId: 'sg-1',
        tag: KEY,
        value: 'true',
        exposure: 'tcp 22',
        control: { id: 'AWS:EC2-002', service: 'SSH' },
      }),
    ).toBe(`sg-1 is tagged ${KEY}=true; tcp 22 left open (AWS:EC2-002, SSH)`);
  });

  it('renders the notes', () => {
    expect(renderNote({ code: 'exemption-expired', tag: 'k', until: '2020-01-01' })).toBe(
      'the exemption k=2020-01-01 expired at the end of 2020-01-01 UTC, so the group is no longer exempt',
    );
    expect(renderNote({ code: 'exemption-not-understood', tag: 'k', value: 'yes' })).toContain(
      'k="yes" is not an exemption',
    );
  });
});
