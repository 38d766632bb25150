import type { LedgerRecord } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { describeProtocolAndPorts, formatPermission } from '../../src/format/formatPermission.js';
import { renderRecord, roughly } from '../../src/format/renderRecord.js';
import { renderTable } from '../../src/format/renderTable.js';

describe('renderTable', () => {
  it('aligns every column to its widest cell and right-aligns numbers', () => {
    const text = renderTable(
      [
        { header: 'NAME', value: (r: { name: string; n: number }) => r.name },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ],
      [
        { name: 'a', n: 1 },
        { name: 'longer', n: 100 },
      ],
    );
    expect(text.split('\n')).toEqual(['NAME      N', 'a         1', 'longer  100']);
  });

  it('leaves no trailing blanks on a line whose last cell is short', () => {
    const text = renderTable([{ header: 'ONLY', value: (r: string) => r }], ['x', 'wide value']);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });
});

describe('formatPermission', () => {
  it('names one line per source: IPv4, IPv6, groups and prefix lists', () => {
    expect(
      formatPermission({
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        UserIdGroupPairs: [{ GroupId: 'sg-0123' }],
        PrefixListIds: [{ PrefixListId: 'pl-0abc' }],
      }),
    ).toEqual([
      'tcp 22 from 0.0.0.0/0',
      'tcp 22 from ::/0',
      'tcp 22 from pl-0abc (prefix list)',
      'tcp 22 from sg-0123 (group)',
    ]);
  });

  it.each([
    [{ IpProtocol: '-1' }, 'all traffic'],
    [{ IpProtocol: '-1', FromPort: -1, ToPort: -1 }, 'all traffic'],
    [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 }, 'tcp 0-65535'],
    [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53 }, 'udp 53'],
    [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1 }, 'icmp type 8'],
    [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1 }, 'icmp all types'],
    [{ IpProtocol: '58', FromPort: 128, ToPort: 0 }, 'icmpv6 type 128 code 0'],
  ])('describes %j as %s', (permission, expected) => {
    expect(describeProtocolAndPorts(permission)).toBe(expected);
  });
});

describe('renderRecord', () => {
  const record: LedgerRecord = {
    alertId: '12345',
    eventKey: 'fail',
    alertStatus: 'fail',
    state: 'completed',
    outcome: 'remediated',
    recordedAt: '2025-06-15T12:00:00.000Z',
    expiresAt: 0,
    accountId: '111111111111',
    region: 'eu-west-1',
    resourceId: 'sg-0abc',
    signature: { identifier: 'AWS:EC2-002', name: 'Global SSH' },
    revoked: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    authorized: [],
    permissionsBefore: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
      },
    ],
    permissionsAfter: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
    requestIds: ['req-1'],
    roleArn: 'arn:aws:iam::111111111111:role/remediation-hub/RemediationHubMemberRole',
    attempts: 1,
    timings: { firstSeenAt: '', startedAt: '', durationMs: 42 },
    revertedBy: 'undo#fail#2025-06-16T00:00:00.000Z',
  };

  it('shows the ingress before and after, what was revoked, the request ids and the undo link', () => {
    const text = renderRecord(record);
    expect(text).toContain('12345  fail  remediated');
    expect(text).toMatch(/revoked:\n {4}tcp 22 from 0\.0\.0\.0\/0/);
    expect(text).toMatch(/ingress before:\n {4}tcp 22 from 0\.0\.0\.0\/0\n {4}tcp 22 from 10\.0\.0\.0\/8/);
    expect(text).toMatch(/ingress after:\n {4}tcp 22 from 10\.0\.0\.0\/8/);
    expect(text).toMatch(/request ids:\n {4}req-1/);
    expect(text).toContain('undone by:    12345 undo#fail#2025-06-16T00:00:00.000Z');
  });

  it('shows the outcome a notification had before it was processed again', () => {
    const text = renderRecord({ ...record, previousOutcome: 'dry-run' });
    expect(text.split('\n').slice(0, 2)).toEqual(['12345  fail  remediated', '  previously:   dry-run']);
  });

  it('names the source and the control; a record from before sources were recorded is Evident’s', () => {
    expect(renderRecord(record)).toContain('  source:       evident\n  account:');
    expect(renderRecord(record)).toContain('  control:      AWS:EC2-002 Global SSH');
    const fromSecurityHub = renderRecord({
      ...record,
      source: 'security-hub',
      signature: {
        identifier: 'EC2.19',
        name: 'Security groups should not allow unrestricted access to ports with high risk',
      },
    });
    expect(fromSecurityHub).toContain('  source:       security-hub');
    expect(fromSecurityHub).toContain(
      '  control:      EC2.19 Security groups should not allow unrestricted access to ports with high risk',
    );
  });

  it('has no previous-outcome line for a record processed once', () => {
    expect(renderRecord(record)).not.toContain('previously');
  });
});

describe('roughly', () => {
  it('adds hours or days to a time to close of an hour or more, and nothing below', () => {
    expect(roughly(3599.9)).toBe('');
    expect(roughly(3600)).toBe(' (about 1 h)');
    expect(roughly(47 * 3600)).toBe(' (about 47 h)');
    expect(roughly(48 * 3600)).toBe(' (about 2 days)');
    expect(roughly(254_800_433.55)).toBe(' (about 2,949 days)');
  });
});
