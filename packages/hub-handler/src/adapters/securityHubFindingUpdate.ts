import { type IpPermission, type LedgerRecord, wellFormed } from '@remediation-hub/core';

/** `Note.Text` and `Note.UpdatedBy` of BatchUpdateFindings: 1 to 512 characters each (API `NoteUpdate`). */
export const NOTE_MAX_LENGTH = 512;
/** Who the note says wrote it. */
export const NOTE_UPDATED_BY = 'remediation-hub';

/** The parts of a BatchUpdateFindings request the hub sends (the SDK's input shape, structurally). */
export interface FindingUpdate {
  FindingIdentifiers: [{ Id: string; ProductArn: string }];
  Workflow: { Status: 'RESOLVED' | 'NOTIFIED' };
  Note: { Text: string; UpdatedBy: string };
}

/** What to tell Security Hub about a completed record, or why nothing. */
export type FindingUpdateDecision =
  | { update: FindingUpdate; skip?: undefined }
  | { update?: undefined; skip: string };

/**
 * What becomes of a Security Hub finding once the hub has recorded its outcome (pure):
 * - `remediated`: `RESOLVED`, with a note naming what was revoked (and re-authorised) and the ledger key;
 * - `failed`: `NOTIFIED`, with the reason, so a person looks at it. Not when the finding arrived `NOTIFIED`
 *   already: Security Hub answers every BatchUpdateFindings with another Imported event of the same finding (same
 *   `UpdatedAt`, so the same ledger key), and a `failed` record is processed again; writing again would start a
 *   loop wherever the rule lets `NOTIFIED` findings through (the hub's rule does not).
 * Every other outcome leaves the finding as it is: `dry-run` and `exempt` changed nothing and are the operator's
 * choice, not a resolution; `already-compliant` and `resource-gone` are for Security Hub's own next evaluation to
 * settle (it resolves a passed check itself, and archives the finding of a deleted group); `ignored` findings are
 * closed, suppressed or passed already; `unsupported` and `rejected` ones are not the hub's to close.
 */
export function securityHubFindingUpdate(record: LedgerRecord): FindingUpdateDecision {
  if (record.source !== 'security-hub') return { skip: 'not a Security Hub finding' };
  const ref = record.sourceRef;
  if (ref === undefined) return { skip: 'the finding carried no ProductArn' };
  const identifiers: FindingUpdate['FindingIdentifiers'] = [
    { Id: record.alertId, ProductArn: ref.productArn },
  ];
  const key = ledgerKeyText(record);
  if (record.outcome === 'remediated') {
    const items = [
      ...record.revoked.flatMap((p) => describeRules(p).map((rule) => `revoked ${rule}`)),
      ...record.authorized.flatMap((p) => describeRules(p).map((rule) => `re-authorized ${rule}`)),
    ];
    const head = `remediation-hub closed this exposure (${record.accountId ?? '?'} ${record.region ?? '?'} ${record.resourceId ?? '?'}): `;
    const list = items.length === 0 ? ['every planned rule was already gone'] : items;
    return {
      update: {
        FindingIdentifiers: identifiers,
        Workflow: { Status: 'RESOLVED' },
        Note: { Text: fitList(head, list, `. ${key}`), UpdatedBy: NOTE_UPDATED_BY },
      },
    };
  }
  if (record.outcome === 'failed') {
    if (ref.workflowStatus === 'NOTIFIED') return { skip: 'the finding is NOTIFIED already' };
    const reason = record.error
      ? `${record.error.name}${record.error.code ? ` (${record.error.code})` : ''}: ${record.error.message}`
      : (record.reason ?? 'no reason recorded');
    return {
      update: {
        FindingIdentifiers: identifiers,
        Workflow: { Status: 'NOTIFIED' },
        Note: {
          Text: fitText('remediation-hub could not close this exposure: ', oneLine(reason), `. ${key}`),
          UpdatedBy: NOTE_UPDATED_BY,
        },
      },
    };
  }
  return { skip: `outcome ${record.outcome ?? record.state} is not written back` };
}

/**
 * `Ledger key: <finding Id> <eventKey>`: what `remediation-hub audit show` takes. A finding Id too long to leave
 * room for the rest is named as "this finding" (the note is on it).
 */
function ledgerKeyText(record: LedgerRecord): string {
  const full = `Ledger key: ${record.alertId} ${record.eventKey}`;
  return full.length <= NOTE_MAX_LENGTH / 2 ? full : `Ledger key: this finding's Id, ${record.eventKey}`;
}

/** `tcp 22 from 0.0.0.0/0`, one per CIDR of the permission. */
function describeRules(permission: IpPermission): string[] {
  const protocol = (permission.IpProtocol ?? '?').toLowerCase();
  const { FromPort: from, ToPort: to } = permission;
  const what =
    protocol === '-1'
      ? 'all traffic'
      : from === undefined || to === undefined || from === -1
        ? protocol
        : from === to
          ? `${protocol} ${from}`
          : `${protocol} ${from}-${to}`;
  const cidrs = [
    ...(permission.IpRanges ?? []).map((range) => range.CidrIp ?? '?'),
    ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6 ?? '?'),
  ];
  return cidrs.map((cidr) => `${what} from ${cidr}`);
}

/** `head` + as many items as fit (`, `-separated, then `and N more`) + `tail`, within the note's limit. */
function fitList(head: string, items: readonly string[], tail: string): string {
  const room = NOTE_MAX_LENGTH - head.length - tail.length;
  const all = items.join(', ');
  if (all.length <= room) return `${head}${all}${tail}`;
  let shown = items.length;
  let text = '';
  do {
    shown--;
    text = `${items.slice(0, shown).join(', ')}${shown > 0 ? ',' : ''} and ${items.length - shown} more`;
  } while (shown > 0 && text.length > room);
  return fitText(head, text, tail);
}

/** `head` + `text` (cut with `…` where it must be) + `tail`, within the note's limit. */
function fitText(head: string, text: string, tail: string): string {
  const room = NOTE_MAX_LENGTH - head.length - tail.length;
  const body = text.length <= room ? text : `${text.slice(0, Math.max(0, room - 1))}…`;
  // A pair cut in half becomes U+FFFD: the note must stay UTF-8.
  return wellFormed(`${head}${body}${tail}`.slice(0, NOTE_MAX_LENGTH));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
