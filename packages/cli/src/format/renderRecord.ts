import {
  type IpPermission,
  type LedgerRecord,
  type OutcomeEventDelivery,
  timeToCloseSeconds,
} from '@remediation-hub/core';
import { formatPermissions } from './formatPermission.js';

/**
 * One ledger record in full, for `audit show`: what the alert was about, what the hub decided and did,
 * the group's ingress before and after, the EC2 request ids (to find the calls in CloudTrail), and the
 * link between a remediation and its undo.
 */
export function renderRecord(record: LedgerRecord): string {
  const lines: string[] = [];
  const field = (name: string, value: string | number | null | undefined) => {
    if (value !== undefined && value !== null && value !== '')
      lines.push(`  ${`${name}:`.padEnd(14)}${value}`);
  };
  const isUndo = record.eventKey.startsWith('undo#');
  lines.push(`${record.alertId}  ${record.eventKey}  ${record.outcome ?? record.state}`);
  // A notification processed again after completing (a `failed` one, or `dry-run`/`rejected` under an
  // older configuration) keeps the outcome it had before.
  field('previously', record.previousOutcome);
  // Records from before the hub read other sources carry none: they are Evident's.
  field('source', isUndo ? undefined : (record.source ?? 'evident'));
  field('account', record.accountId);
  field('region', record.region);
  field('group', record.resourceId);
  field('control', record.signature ? `${record.signature.identifier} ${record.signature.name}` : undefined);
  field('risk', record.riskLevel);
  field('status', isUndo ? undefined : record.alertStatus);
  field('mode', [record.mode, record.strategy].filter(Boolean).join(', '));
  field('decision', record.decision);
  field('reason', record.reason);
  field('role', record.roleArn);
  field('recorded', record.recordedAt);
  field(
    'took',
    record.timings?.durationMs !== undefined
      ? `${record.timings.durationMs} ms, ${record.attempts} attempt${record.attempts === 1 ? '' : 's'}`
      : undefined,
  );
  const toClose = timeToCloseSeconds(record);
  field(
    'to close',
    toClose === null
      ? undefined
      : `${toClose} s${roughly(toClose)} from ${record.sourceFirstSeenAt} (source first saw it)`,
  );
  field('event', outcomeEventState(record.outcomeEvent));
  if (record.duplicateDeliveries) {
    const n = record.duplicateDeliveries;
    field('duplicates', `${n} more ${n === 1 ? 'delivery' : 'deliveries'}, not processed again`);
  }
  if (record.error) {
    field(
      'error',
      `${record.error.name}${record.error.code ? ` (${record.error.code})` : ''}: ${record.error.message}`,
    );
  }
  if (record.revertOf) field('undoes', `${record.revertOf.alertId} ${record.revertOf.eventKey}`);
  if (record.revertedBy) field('undone by', `${record.alertId} ${record.revertedBy}`);
  permissions(lines, 'revoked', record.revoked);
  permissions(lines, 'authorized', record.authorized);
  if (record.plan && record.outcome === 'dry-run') {
    permissions(lines, 'would revoke', record.plan.revoke);
    permissions(lines, 'would authorize', record.plan.authorize);
  }
  if (record.permissionsBefore !== undefined)
    permissions(lines, 'ingress before', record.permissionsBefore, true);
  if (record.permissionsAfter !== undefined)
    permissions(lines, 'ingress after', record.permissionsAfter, true);
  if (record.requestIds.length > 0) {
    lines.push('  request ids:');
    for (const id of record.requestIds) lines.push(`    ${id}`);
  }
  return lines.join('\n');
}

function permissions(
  lines: string[],
  title: string,
  list: readonly IpPermission[] | undefined,
  showEmpty = false,
): void {
  const formatted = formatPermissions(list, { descriptions: true });
  if (formatted.length === 0) {
    if (showEmpty) lines.push(`  ${title}: (none)`);
    return;
  }
  lines.push(`  ${title}:`);
  for (const line of formatted) lines.push(`    ${line}`);
}

/** Whether the record's outcome event went out (with OUTCOME_TOPIC_ARN), for `audit show`. */
function outcomeEventState(delivery: OutcomeEventDelivery | undefined): string | undefined {
  if (delivery === undefined) return undefined;
  if (delivery.state === 'sent')
    return `sent ${delivery.sentAt ?? ''} (SNS message ${delivery.messageId ?? '?'})`;
  const failures = delivery.failures ?? 0;
  if (failures === 0) return 'pending';
  return `pending, ${failures} failed publish${failures === 1 ? '' : 'es'} (last ${delivery.lastFailedAt ?? '?'}: ${delivery.lastError?.message ?? ''}); audit resend sends it`;
}

/** ` (about 3 h)`, ` (about 2,949 days)` for a time to close of an hour or more; nothing below. */
export function roughly(seconds: number): string {
  if (seconds < 3600) return '';
  const hours = seconds / 3600;
  if (hours < 48) return ` (about ${Math.round(hours)} h)`;
  return ` (about ${Math.round(hours / 24).toLocaleString('en-US')} days)`;
}
