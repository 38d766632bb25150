import { describe, expect, it } from 'vitest';
import { type Note, type Reason, renderExplanation, renderNote, renderReason } from '../../src/index.js';

const control = { id: 'AWS:EC2-002', service: 'SSH' };

describe('renderReason: every reason code in English, in one place', () => {
  it.each<[Reason, string]>([
    [
      { code: 'not-actionable', field: 'status', value: 'pass', actedOn: ['fail', 'warn'] },
      'status is pass; only fail and warn are remediated',
    ],
    [
      { code: 'not-actionable', field: 'Compliance.Status', value: 'PASSED', actedOn: ['FAILED'] },
      'Compliance.Status is PASSED; only FAILED is remediated',
    ],
    [
      { code: 'unsupported-control', control: 'AWS:EC2-001', name: 'Unknown' },
      'AWS:EC2-001 (Unknown) is not one the hub remediates',
    ],
    [
      { code: 'exempt', groupId: 'sg-1', tag: 'k', value: 'true', exposure: 'tcp 22', control },
      'sg-1 is tagged k=true; tcp 22 left open (AWS:EC2-002, SSH)',
    ],
    [
      { code: 'compliant', groupId: 'sg-1', exposure: 'tcp 22', control },
      'no world-open tcp 22 in sg-1 (AWS:EC2-002, SSH)',
    ],
    [
      { code: 'revoke', exposure: 'tcp 22', cidrs: ['0.0.0.0/0', '::/0'], control },
      'revoke tcp 22 from 0.0.0.0/0 and ::/0 (AWS:EC2-002, SSH)',
    ],
    [
      { code: 'narrow', exposure: 'tcp 22', cidrs: ['0.0.0.0/0'], control, revoke: 1, authorize: 2 },
      'narrow tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH): revoke 1 rule, re-authorize the rest of the port range as 2 rules',
    ],
    [
      { code: 'narrow', exposure: 'tcp 22', cidrs: ['::/0'], control, revoke: 2, authorize: 0 },
      'narrow tcp 22 from ::/0 (AWS:EC2-002, SSH): revoke 2 rules',
    ],
    [
      { code: 'account-mismatch', accountId: '111111111111', field: 'arn', otherAccountId: '222222222222' },
      'the finding names account 111111111111 but its arn names 222222222222',
    ],
    [
      { code: 'account-not-allowed', accountId: '111111111111' },
      "account 111111111111 is not on the hub's allow-list",
    ],
    [{ code: 'malformed', message: 'message is not JSON' }, 'message is not JSON'],
    [
      { code: 'already-closed', check: { code: 'compliant', groupId: 'sg-1', exposure: 'tcp 22', control } },
      'every planned revocation was already gone (InvalidPermission.NotFound); read again, the group no longer needs it (no world-open tcp 22 in sg-1 (AWS:EC2-002, SSH))',
    ],
  ])('%j', (reason, text) => {
    expect(renderReason(reason)).toBe(text);
  });
});

describe('renderNote: every note code in English', () => {
  it.each<[Note, RegExp]>([
    [{ code: 'all-traffic-revoked-whole' }, /^protocol -1 \(all traffic\) cannot be narrowed/],
    [{ code: 'all-icmp-types-revoked-whole' }, /^ICMP type -1 \(all types\) cannot be narrowed/],
    [
      { code: 'unrecorded-changes-counted', revoked: 1, authorized: 2 },
      /1 revocation it planned, absent on retry.*counted as revoked, and 2 re-authorizations it planned found/,
    ],
    [
      { code: 'reauthorizations-unmade', count: 1 },
      /^1 re-authorization of the rest .* was never made .* is not made now/,
    ],
    [
      { code: 'reauthorizations-unmade', count: 2 },
      /^2 re-authorizations .* were never made .* are not made now/,
    ],
    [
      { code: 'concurrent-change', alreadyGone: 1, alreadyThere: 2, notAuthorized: 1 },
      /^a concurrent change was detected: 1 planned revocation already gone \(InvalidPermission.NotFound\), 2 planned re-authorizations already there \(InvalidPermission.Duplicate\), 1 re-authorization not made/,
    ],
    [
      { code: 'reauthorization-failed', rules: 2, retriesExhausted: true, retries: 3, error: 'slow down' },
      /\(the re-authorization failed after 3 retries with a retryable error, 2 rules not authorized: slow down\)/,
    ],
    [
      { code: 'reauthorization-failed', rules: 1, retriesExhausted: false, retries: 3, error: 'denied' },
      /could not be re-authorized \(1 rule not authorized: denied\)/,
    ],
    [
      { code: 'still-needed', check: { code: 'revoke', exposure: 'tcp 22', cidrs: ['::/0'], control } },
      /^the group read again still needs: revoke tcp 22 from ::\/0/,
    ],
    [{ code: 'ranges-vanished', count: 1 }, /^1 port range to revoke vanished/],
  ])('%j', (note, text) => {
    expect(renderNote(note)).toMatch(text);
  });

  it('renders an explanation as the reason, then each note, leaving out notes that say nothing', () => {
    expect(
      renderExplanation({
        reason: { code: 'account-not-allowed', accountId: '1' },
        notes: [
          { code: 'unrecorded-changes-counted', revoked: 0, authorized: 0 },
          { code: 'all-traffic-revoked-whole' },
        ],
      }),
    ).toBe(
      "account 1 is not on the hub's allow-list; protocol -1 (all traffic) cannot be narrowed, so it is revoked whole",
    );
  });
});

describe('renderReason: the reasons of every source', () => {
  it.each<[Reason, string]>([
    [
      {
        code: 'account-mismatch',
        accountId: '111111111111',
        field: 'Resources[0].Id',
        otherAccountId: '222222222222',
      },
      'the finding names account 111111111111 but its Resources[0].Id names 222222222222',
    ],
    [
      { code: 'account-not-allowed', accountId: '111111111111' },
      "account 111111111111 is not on the hub's allow-list",
    ],
    [
      { code: 'malformed', message: 'AwsAccountId: expected 12 digits, got "1"' },
      'AwsAccountId: expected 12 digits, got "1"',
    ],
    [
      { code: 'not-actionable', field: 'alertStatus', value: 'resolved', actedOn: ['open'] },
      'alertStatus is resolved; only open is remediated',
    ],
    [
      { code: 'not-actionable', field: 'alertId', value: 'P-0', actedOn: [], testMessage: true },
      "alertId is P-0: the source's integration test message, consumed without action",
    ],
    [
      {
        code: 'already-closed',
        check: {
          code: 'compliant',
          groupId: 'sg-1',
          exposure: 'tcp 22',
          control: { id: 'EC2.13', service: 'SSH' },
        },
      },
      'every planned revocation was already gone (InvalidPermission.NotFound); read again, the group no longer needs it (no world-open tcp 22 in sg-1 (EC2.13, SSH))',
    ],
  ])('renders %j', (reason, text) => {
    expect(renderReason(reason)).toBe(text);
  });
});

describe('renderNote: the notes of every source', () => {
  it.each<[Note, string]>([
    [{ code: 'unrecorded-changes-counted', revoked: 0, authorized: 0 }, ''],
    [
      { code: 'unrecorded-changes-counted', revoked: 1, authorized: 0 },
      'an earlier attempt was taken over after its lease expired without its result being recorded: 1 revocation it planned, absent on retry: removed by the earlier attempt whose result was not recorded, or by another change; counted as revoked (its request ids are in its log)',
    ],
    [
      { code: 'unrecorded-changes-counted', revoked: 2, authorized: 1 },
      'an earlier attempt was taken over after its lease expired without its result being recorded: 2 revocations it planned, absent on retry: removed by the earlier attempt whose result was not recorded, or by another change; counted as revoked, and 1 re-authorization it planned found in the group (not there before it) as authorized (its request ids are in its log)',
    ],
    [
      { code: 'reauthorizations-unmade', count: 1 },
      '1 re-authorization of the rest of a range an earlier attempt revoked was never made (that attempt stopped first) and is not made now: the exposure is closed, and those ports stay closed until someone authorizes them',
    ],
    [
      { code: 'reauthorizations-unmade', count: 2 },
      '2 re-authorizations of the rest of a range an earlier attempt revoked were never made (that attempt stopped first) and are not made now: the exposure is closed, and those ports stay closed until someone authorizes them',
    ],
    [
      { code: 'concurrent-change', alreadyGone: 1, alreadyThere: 2, notAuthorized: 1 },
      'a concurrent change was detected: 1 planned revocation already gone (InvalidPermission.NotFound), 2 planned re-authorizations already there (InvalidPermission.Duplicate), 1 re-authorization not made, as the rule it narrows was not revoked by this attempt',
    ],
    [
      { code: 'concurrent-change', alreadyGone: 0, alreadyThere: 0, notAuthorized: 0 },
      'a concurrent change was detected: ',
    ],
    [
      { code: 'reauthorization-failed', rules: 2, retriesExhausted: true, retries: 3, error: 'Throttling' },
      'the rest of the range could not be re-authorized (the re-authorization failed after 3 retries with a retryable error, 2 rules not authorized: Throttling): the exposure is closed, and those ports stay closed until someone authorizes them',
    ],
    [
      {
        code: 'reauthorization-failed',
        rules: 1,
        retriesExhausted: false,
        retries: 0,
        error: 'RulesPerSecurityGroupLimitExceeded',
      },
      'the rest of the range could not be re-authorized (1 rule not authorized: RulesPerSecurityGroupLimitExceeded): the exposure is closed, and those ports stay closed until someone authorizes them',
    ],
    [
      {
        code: 'still-needed',
        check: {
          code: 'revoke',
          exposure: 'tcp 22',
          cidrs: ['0.0.0.0/0'],
          control: { id: 'EC2.13', service: 'SSH' },
        },
      },
      'the group read again still needs: revoke tcp 22 from 0.0.0.0/0 (EC2.13, SSH)',
    ],
    [
      { code: 'ranges-vanished', count: 1 },
      '1 port range to revoke vanished, and another worker narrowing it may be about to re-authorize part of it',
    ],
    [
      { code: 'authorized-ports-kept', ports: 'tcp 80, 443', rules: 1 },
      'the revoked rules also opened authorised ports, which stay open: tcp 80, 443 re-authorized as 1 rule',
    ],
  ])('renders %j', (note, text) => {
    expect(renderNote(note)).toBe(text);
  });

  it('leaves empty notes out of the explanation', () => {
    expect(
      renderExplanation({
        reason: { code: 'malformed', message: 'x' },
        notes: [
          { code: 'unrecorded-changes-counted', revoked: 0, authorized: 0 },
          { code: 'all-traffic-revoked-whole' },
        ],
      }),
    ).toBe('x; protocol -1 (all traffic) cannot be narrowed, so it is revoked whole');
  });
});
