import * as z from 'zod';
import { OUTCOMES, REMEDIATION_MODES, STRATEGIES, WORLD_IPV4, WORLD_IPV6 } from './constants.js';
import { SOURCES } from './finding.js';
import type { LedgerRecord } from './ledgerRecord.js';
import type { IpPermission } from './types.js';

/**
 * The outcome event: what the hub did with one notification (or one undo), as subscribers of the outcome
 * topic receive it. Versioned: a change that could break a subscriber (a field removed, renamed or retyped)
 * is a new `schemaVersion`; new fields may be added within a version. The zod schema is the definition; the
 * JSON Schema under `packages/core/schema/` is generated from it (`pnpm --dir packages/core schema`).
 */
export const OUTCOME_EVENT_SCHEMA_VERSION = 1;
export const OUTCOME_EVENT_TYPE = 'remediation-hub.outcome';

const rule = z
  .object({
    protocol: z
      .string()
      .describe(
        'The rule\'s IpProtocol as EC2 returned it: "tcp", "udp", "icmp", "icmpv6", "-1" (all traffic), or a number',
      ),
    fromPort: z
      .number()
      .int()
      .nullable()
      .describe('First port (ICMP: the type); null when the rule has none'),
    toPort: z.number().int().nullable().describe('Last port (ICMP: the code); null when the rule has none'),
    cidr: z.string().describe('One CIDR: 0.0.0.0/0 and ::/0 are the world'),
    description: z.string().nullable(),
  })
  .strict()
  .describe('One ingress rule: one protocol, one port range, one CIDR');

const key = z.object({ alertId: z.string(), eventKey: z.string() }).strict();

export const OUTCOME_EVENT = z
  .object({
    schemaVersion: z.literal(OUTCOME_EVENT_SCHEMA_VERSION),
    type: z.literal(OUTCOME_EVENT_TYPE),
    eventId: z
      .string()
      .describe(
        'The same for every copy of this event (a publish retried, `audit resend`): `<alertId>|<eventKey>|<recordedAt>`; subscribers drop the copies',
      ),
    source: z
      .enum([...SOURCES, 'unknown'])
      .describe('The posture tool that raised the finding; unknown for a message that could not be read'),
    findingId: z.string().describe("The source's finding or alert id (the ledger's alertId)"),
    eventKey: z.string().describe("Which notification of the finding this is (the ledger's eventKey)"),
    status: z.string().describe("The source's status word (fail, FAILED, open, ...)"),
    accountId: z.string().nullable(),
    region: z.string().nullable(),
    groupId: z.string().nullable().describe('The security group'),
    control: z
      .object({ id: z.string(), name: z.string() })
      .strict()
      .nullable()
      .describe('The control or signature that failed (AWS:EC2-002, EC2.19, a Prisma Cloud policy id)'),
    riskLevel: z.string().nullable(),
    outcome: z.enum(OUTCOMES),
    mode: z.enum(REMEDIATION_MODES).nullable(),
    strategy: z.enum(STRATEGIES).nullable(),
    reason: z
      .object({
        code: z
          .string()
          .nullable()
          .describe(
            'revoke, narrow, compliant, exempt, not-actionable, unsupported-control, account-mismatch, account-not-allowed, malformed, already-closed (packages/core/src/reasons.ts); null for an undo, whose reason is text only',
          ),
        text: z.string().describe('The reason in English, as `audit show` prints it'),
        notes: z
          .array(z.string())
          .describe('Codes of the notes (concurrent-change, reauthorization-failed, ...)'),
      })
      .strict()
      .nullable(),
    error: z
      .object({ name: z.string(), message: z.string(), code: z.string().nullable(), retryable: z.boolean() })
      .strict()
      .nullable(),
    revoked: z.array(rule).describe('What EC2 confirmed was revoked (an undo: what it revoked of a narrow)'),
    authorized: z
      .array(rule)
      .describe('What EC2 confirmed was authorised (narrow; an undo: what it re-authorised)'),
    worldOpenIngress: z
      .object({
        before: z.array(rule).nullable().describe('null when the hub did not read the group'),
        after: z.array(rule).nullable(),
      })
      .strict()
      .describe("The group's ingress rules open to 0.0.0.0/0 or ::/0, before and after the hub acted"),
    ledgerKey: key,
    undo: z
      .string()
      .nullable()
      .describe('The command that reverses this remediation; null when there is nothing to undo'),
    revertOf: key.nullable().describe('On an undo (outcome reverted): the remediation it reverted'),
    timeToCloseSeconds: z
      .number()
      .nonnegative()
      .nullable()
      .describe("On remediated: from the source's first-seen time to the completion of the confirmed revoke"),
    timings: z
      .object({
        sourceFirstSeenAt: z.string().nullable(),
        hubFirstSeenAt: z.string(),
        completedAt: z.string().nullable(),
      })
      .strict(),
    recordedAt: z.string(),
  })
  .strict();

export type OutcomeEvent = z.infer<typeof OUTCOME_EVENT>;
export type OutcomeEventRule = z.infer<typeof rule>;

/**
 * The SNS message attributes of an event, for subscribers' filter policies (`{"outcome": ["failed"]}`). Always
 * all five, as strings: `unknown` where the record has no value.
 */
export type OutcomeEventAttributes = Record<'outcome' | 'account' | 'source' | 'control' | 'mode', string>;

/** Each CIDR entry of each permission as a rule (never throws: a malformed permission is shown as it is). */
export function rulesOf(permissions: readonly IpPermission[] | undefined): OutcomeEventRule[] {
  const rules: OutcomeEventRule[] = [];
  for (const permission of permissions ?? []) {
    const base = {
      protocol: permission.IpProtocol ?? '',
      fromPort: permission.FromPort ?? null,
      toPort: permission.ToPort ?? null,
    };
    for (const range of permission.IpRanges ?? []) {
      if (range.CidrIp) rules.push({ ...base, cidr: range.CidrIp, description: range.Description ?? null });
    }
    for (const range of permission.Ipv6Ranges ?? []) {
      if (range.CidrIpv6)
        rules.push({ ...base, cidr: range.CidrIpv6, description: range.Description ?? null });
    }
  }
  return rules;
}

/** The rules open to the world (`0.0.0.0/0`, `::/0`, by equality); null when the group was never read. */
export function worldOpenRules(permissions: readonly IpPermission[] | undefined): OutcomeEventRule[] | null {
  if (permissions === undefined) return null;
  return rulesOf(permissions).filter((r) => r.cidr === WORLD_IPV4 || r.cidr === WORLD_IPV6);
}

/**
 * Seconds from the source's first sight of the exposure to the completion that closed it: only for a
 * `remediated` record (dry-run and the rest closed nothing) whose source said when it first saw it. A source
 * clock ahead of the hub's gives 0, never a negative time.
 */
export function timeToCloseSeconds(
  record: Pick<LedgerRecord, 'outcome' | 'mode' | 'sourceFirstSeenAt' | 'timings'>,
): number | null {
  if (record.outcome !== 'remediated' || record.mode === 'dry-run') return null;
  const from = record.sourceFirstSeenAt ? Date.parse(record.sourceFirstSeenAt) : Number.NaN;
  const to = record.timings.completedAt ? Date.parse(record.timings.completedAt) : Number.NaN;
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  return Math.max(0, to - from) / 1000;
}

const SHELL_SAFE = /^[\w.:@/+=#,-]+$/;
const shellWord = (word: string): string =>
  SHELL_SAFE.test(word) && !word.startsWith('#') ? word : `'${word.replaceAll("'", "'\\''")}'`;

/**
 * The CLI command that undoes the record: for a remediation that changed the group (`remediated`, or a
 * `failed` one that revoked part of its plan) and is not undone; null otherwise (nothing to undo, dry-run,
 * an undo event).
 */
export function undoCommand(
  record: Pick<
    LedgerRecord,
    'alertId' | 'eventKey' | 'outcome' | 'mode' | 'revoked' | 'authorized' | 'revertedBy' | 'revertOf'
  >,
): string | null {
  if (record.revertOf !== undefined || record.revertedBy !== undefined || record.mode === 'dry-run')
    return null;
  const changed = record.revoked.length + record.authorized.length > 0;
  if (!(record.outcome === 'remediated' || record.outcome === 'failed') || !changed) return null;
  return `remediation-hub undo ${shellWord(record.alertId)} --status ${shellWord(record.eventKey)}`;
}

/**
 * The outcome event of a completed record (a notification's or an undo's). Pure: built from the record alone,
 * so a resend later builds the same event (the same `eventId`) from the ledger.
 */
export function outcomeEvent(record: LedgerRecord): OutcomeEvent {
  if (record.outcome === undefined) {
    throw new TypeError(`${record.alertId}/${record.eventKey} has no outcome: it is not completed`);
  }
  const explanation = record.explanation;
  return {
    schemaVersion: OUTCOME_EVENT_SCHEMA_VERSION,
    type: OUTCOME_EVENT_TYPE,
    eventId: `${record.alertId}|${record.eventKey}|${record.recordedAt}`,
    source: record.source ?? 'unknown',
    findingId: record.alertId,
    eventKey: record.eventKey,
    status: record.alertStatus,
    accountId: record.accountId ?? null,
    region: record.region ?? null,
    groupId: record.resourceId ?? null,
    control: record.signature ? { id: record.signature.identifier, name: record.signature.name } : null,
    riskLevel: record.riskLevel ?? null,
    outcome: record.outcome,
    mode: record.mode ?? null,
    strategy: record.strategy ?? null,
    reason:
      explanation === undefined && record.reason === undefined
        ? null
        : {
            code: explanation?.reason.code ?? null,
            text: record.reason ?? '',
            notes: explanation?.notes.map((note) => note.code) ?? [],
          },
    error:
      record.error === undefined
        ? null
        : {
            name: record.error.name,
            message: record.error.message,
            code: record.error.code ?? null,
            retryable: record.error.retryable,
          },
    revoked: rulesOf(record.revoked),
    authorized: rulesOf(record.authorized),
    worldOpenIngress: {
      before: worldOpenRules(record.permissionsBefore),
      after: worldOpenRules(record.permissionsAfter),
    },
    ledgerKey: { alertId: record.alertId, eventKey: record.eventKey },
    undo: undoCommand(record),
    revertOf: record.revertOf ?? null,
    timeToCloseSeconds: timeToCloseSeconds(record),
    timings: {
      sourceFirstSeenAt: record.sourceFirstSeenAt ?? null,
      hubFirstSeenAt: record.timings.firstSeenAt,
      completedAt: record.timings.completedAt ?? null,
    },
    recordedAt: record.recordedAt,
  };
}

/** The message attributes of an event (see `OutcomeEventAttributes`). */
export function outcomeEventAttributes(event: OutcomeEvent): OutcomeEventAttributes {
  return {
    outcome: event.outcome,
    account: event.accountId ?? 'unknown',
    source: event.source,
    control: event.control?.id || 'unknown',
    mode: event.mode ?? 'unknown',
  };
}
