import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  OUTCOME_EVENT_SCHEMA_FILE,
  outcomeEventJsonSchemaText,
} from '../../scripts/outcomeEventJsonSchema.js';
import {
  type LedgerRecord,
  OUTCOME_EVENT,
  outcomeEvent,
  outcomeEventAttributes,
  renderExplanation,
  timeToCloseSeconds,
  undoCommand,
  worldOpenRules,
} from '../../src/index.js';
import { GROUP_ID, tcp } from '../support/factories.js';

const SSH_BEFORE = [
  {
    IpProtocol: 'tcp',
    FromPort: 22,
    ToPort: 22,
    IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }, { CidrIp: '10.0.0.0/8' }],
  },
  { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
  tcp(443, 443, '0.0.0.0/0'),
];
const SSH_AFTER = [
  { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
  tcp(443, 443, '0.0.0.0/0'),
];

/** A remediated Evident record about `GROUP_ID`, as the hub completes it. */
function remediated(overrides: Partial<LedgerRecord> = {}): LedgerRecord {
  const explanation = {
    reason: {
      code: 'revoke' as const,
      exposure: 'tcp 22',
      cidrs: ['0.0.0.0/0', '::/0'],
      control: { id: 'AWS:EC2-002', service: 'SSH' },
    },
    notes: [{ code: 'concurrent-change' as const, alreadyGone: 1, alreadyThere: 0, notAuthorized: 0 }],
  };
  return {
    alertId: '924998430',
    eventKey: 'fail',
    alertStatus: 'fail',
    state: 'completed',
    outcome: 'remediated',
    recordedAt: '2026-11-26T20:14:15.817Z',
    expiresAt: 1_800_000_000,
    source: 'evident',
    accountId: '111111111111',
    region: 'us-east-1',
    resourceId: GROUP_ID,
    signature: { identifier: 'AWS:EC2-002', name: 'Global SSH' },
    riskLevel: 'high',
    sourceFirstSeenAt: '2026-11-26T20:00:00.000Z',
    mode: 'remediate',
    strategy: 'revoke',
    decision: 'remediate',
    explanation,
    reason: renderExplanation(explanation),
    revoked: [tcp(22, 22, '0.0.0.0/0'), tcp(22, 22, '::/0')],
    authorized: [],
    permissionsBefore: SSH_BEFORE,
    permissionsAfter: SSH_AFTER,
    requestIds: ['req-1', 'req-2'],
    attempts: 1,
    timings: {
      firstSeenAt: '2026-11-26T20:14:15.000Z',
      startedAt: '2026-11-26T20:14:15.000Z',
      completedAt: '2026-11-26T20:14:15.817Z',
      durationMs: 817,
    },
    ...overrides,
  };
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(OUTCOME_EVENT_SCHEMA_FILE, 'utf8')));

describe('outcomeEvent', () => {
  it('carries every field a subscriber acts on, from the record alone', () => {
    const event = outcomeEvent(remediated());
    expect(event).toEqual({
      schemaVersion: 1,
      type: 'remediation-hub.outcome',
      eventId: '924998430|fail|2026-11-26T20:14:15.817Z',
      source: 'evident',
      findingId: '924998430',
      eventKey: 'fail',
      status: 'fail',
      accountId: '111111111111',
      region: 'us-east-1',
      groupId: GROUP_ID,
      control: { id: 'AWS:EC2-002', name: 'Global SSH' },
      riskLevel: 'high',
      outcome: 'remediated',
      mode: 'remediate',
      strategy: 'revoke',
      reason: {
        code: 'revoke',
        text: expect.stringMatching(
          /^revoke tcp 22 from 0\.0\.0\.0\/0 and ::\/0 \(AWS:EC2-002, SSH\); a concurrent/,
        ),
        notes: ['concurrent-change'],
      },
      error: null,
      revoked: [
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: null },
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '::/0', description: null },
      ],
      authorized: [],
      worldOpenIngress: {
        before: [
          { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', description: 'ssh' },
          { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '::/0', description: null },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: null },
        ],
        after: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: null }],
      },
      ledgerKey: { alertId: '924998430', eventKey: 'fail' },
      undo: 'remediation-hub undo 924998430 --status fail',
      revertOf: null,
      timeToCloseSeconds: 855.817,
      timings: {
        sourceFirstSeenAt: '2026-11-26T20:00:00.000Z',
        hubFirstSeenAt: '2026-11-26T20:14:15.000Z',
        completedAt: '2026-11-26T20:14:15.817Z',
      },
      recordedAt: '2026-11-26T20:14:15.817Z',
    });
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
  });

  it('builds a valid event for a record refused before any claim, with nulls where nothing is known', () => {
    const unreadable: LedgerRecord = {
      alertId: 'unparsed:5f1c',
      eventKey: 'unknown',
      alertStatus: 'unknown',
      state: 'completed',
      outcome: 'rejected',
      recordedAt: '2026-11-26T20:14:15.000Z',
      expiresAt: 0,
      explanation: { reason: { code: 'malformed', message: 'not JSON' }, notes: [] },
      reason: 'not JSON',
      error: { name: 'MalformedAlertError', message: 'not JSON', retryable: false },
      revoked: [],
      authorized: [],
      requestIds: [],
      attempts: 1,
      timings: { firstSeenAt: '2026-11-26T20:14:15.000Z', startedAt: '2026-11-26T20:14:15.000Z' },
    };
    const event = outcomeEvent(unreadable);
    expect(event).toMatchObject({
      source: 'unknown',
      accountId: null,
      groupId: null,
      control: null,
      mode: null,
      reason: { code: 'malformed', text: 'not JSON', notes: [] },
      error: { name: 'MalformedAlertError', code: null, retryable: false },
      worldOpenIngress: { before: null, after: null },
      undo: null,
      timeToCloseSeconds: null,
      timings: { sourceFirstSeenAt: null, completedAt: null },
    });
    expect(outcomeEventAttributes(event)).toEqual({
      outcome: 'rejected',
      account: 'unknown',
      source: 'unknown',
      control: 'unknown',
      mode: 'unknown',
    });
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
  });

  it('describes an undo with the remediation it reverted, and nothing to undo', () => {
    const event = outcomeEvent(
      remediated({
        eventKey: 'undo#fail#2026-11-26T20:14:39.182Z',
        outcome: 'reverted',
        revoked: [],
        authorized: [tcp(22, 22, '0.0.0.0/0')],
        revertOf: { alertId: '924998430', eventKey: 'fail' },
        explanation: undefined,
        reason: 're-authorized 1 rule (undo by alice)',
      }),
    );
    expect(event).toMatchObject({
      outcome: 'reverted',
      reason: { code: null, text: 're-authorized 1 rule (undo by alice)', notes: [] },
      undo: null,
      revertOf: { alertId: '924998430', eventKey: 'fail' },
      timeToCloseSeconds: null,
    });
    expect(validate(event)).toBe(true);
  });

  it('refuses a record that has no outcome yet', () => {
    expect(() => outcomeEvent(remediated({ state: 'in-progress', outcome: undefined }))).toThrow(
      '924998430/fail has no outcome',
    );
  });

  it('gives subscribers the five attributes their filter policies match', () => {
    expect(outcomeEventAttributes(outcomeEvent(remediated()))).toEqual({
      outcome: 'remediated',
      account: '111111111111',
      source: 'evident',
      control: 'AWS:EC2-002',
      mode: 'remediate',
    });
  });
});

describe('the outcome event schema', () => {
  it('is the committed file, generated from the zod definition (run `pnpm --dir packages/core schema` after a change)', () => {
    expect(readFileSync(OUTCOME_EVENT_SCHEMA_FILE, 'utf8')).toBe(outcomeEventJsonSchemaText());
  });

  it('refuses an event with a field missing, an unknown field or an unknown outcome', () => {
    const event = outcomeEvent(remediated());
    const { undo: _undo, ...missing } = event;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...event, extra: 1 })).toBe(false);
    expect(validate({ ...event, outcome: 'closed' })).toBe(false);
    expect(OUTCOME_EVENT.safeParse({ ...event, schemaVersion: 2 }).success).toBe(false);
  });
});

describe('timeToCloseSeconds', () => {
  it('runs from the source first seeing the exposure to the completion, for remediated records only', () => {
    expect(timeToCloseSeconds(remediated())).toBe(855.817);
    expect(timeToCloseSeconds(remediated({ outcome: 'exempt' }))).toBeNull();
    expect(timeToCloseSeconds(remediated({ mode: 'dry-run' }))).toBeNull();
    expect(timeToCloseSeconds(remediated({ sourceFirstSeenAt: null }))).toBeNull();
    expect(timeToCloseSeconds(remediated({ sourceFirstSeenAt: 'yesterday' }))).toBeNull();
  });

  it('is 0, not negative, when the source clock runs ahead of the hub', () => {
    expect(timeToCloseSeconds(remediated({ sourceFirstSeenAt: '2026-11-26T20:20:00.000Z' }))).toBe(0);
  });
});

describe('undoCommand', () => {
  it('names the notification, quoting what the shell would split', () => {
    expect(
      undoCommand(
        remediated({
          alertId: 'arn:aws:securityhub:us-east-1:111111111111:finding/1b2c',
          eventKey: 'FAILED#2026-11-26T20:00:00.000Z',
        }),
      ),
    ).toBe(
      'remediation-hub undo arn:aws:securityhub:us-east-1:111111111111:finding/1b2c --status FAILED#2026-11-26T20:00:00.000Z',
    );
    expect(undoCommand(remediated({ alertId: "it's here" }))).toBe(
      "remediation-hub undo 'it'\\''s here' --status fail",
    );
  });

  it('is there for a remediation or a partial failure, and for nothing that changed nothing or is undone', () => {
    expect(undoCommand(remediated({ outcome: 'failed' }))).not.toBeNull();
    expect(undoCommand(remediated({ outcome: 'failed', revoked: [] }))).toBeNull();
    expect(undoCommand(remediated({ mode: 'dry-run', outcome: 'dry-run' }))).toBeNull();
    expect(undoCommand(remediated({ revertedBy: 'undo#fail#2026-11-26T20:14:39.182Z' }))).toBeNull();
    expect(undoCommand(remediated({ outcome: 'exempt', revoked: [] }))).toBeNull();
  });
});

describe('worldOpenRules', () => {
  it('keeps only 0.0.0.0/0 and ::/0, by equality, and says null for a group never read', () => {
    expect(worldOpenRules(SSH_AFTER)).toEqual([
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0', description: null },
    ]);
    expect(worldOpenRules([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/1' }] }])).toEqual([]);
    expect(worldOpenRules([{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }])).toEqual([
      { protocol: '-1', fromPort: null, toPort: null, cidr: '::/0', description: null },
    ]);
    expect(worldOpenRules(undefined)).toBeNull();
  });
});
