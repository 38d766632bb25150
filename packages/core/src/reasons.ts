/**
 * Why the hub decided what it did, as data: a reason (one per record: a code and its fields) and notes (what
 * else happened on the way). Records and plans carry these; `renderExplanation` turns them into the English
 * the audit trail shows, here and nowhere else. Tests and subscribers read the codes.
 */

/** The control or signature, as reasons name it: `(AWS:EC2-002, SSH)`. */
export interface ControlRef {
  id: string;
  service: string;
}

export type Reason =
  /** The source says the exposure is not there (status `pass`, ...), or the message is its test message. */
  | {
      code: 'not-actionable';
      field: string;
      value: string;
      actedOn: readonly string[];
      testMessage?: true | undefined;
    }
  /** The control or signature is not one the registry knows. */
  | { code: 'unsupported-control'; control: string; name: string }
  /**
   * The group carries the exemption tag. `until`: the last day (`YYYY-MM-DD`, UTC) of a dated exemption; absent
   * for `true`, which is forever. `worldCidrs`: the world CIDRs the control is about, when it is about only one
   * of them (Security Hub EC2.53: `0.0.0.0/0`; EC2.54: `::/0`).
   */
  | {
      code: 'exempt';
      groupId: string;
      tag: string;
      value: string;
      until?: string | undefined;
      exposure: string;
      control: ControlRef;
      worldCidrs?: readonly string[] | undefined;
    }
  /** No world-open rule opens the exposure (on the control's `worldCidrs`, when it names them). */
  | {
      code: 'compliant';
      groupId: string;
      exposure: string;
      control: ControlRef;
      worldCidrs?: readonly string[] | undefined;
    }
  /** Revoke the world-open rules that open the exposure. */
  | { code: 'revoke'; exposure: string; cidrs: readonly string[]; control: ControlRef }
  /** Revoke them and re-authorize the rest of their port ranges. */
  | {
      code: 'narrow';
      exposure: string;
      cidrs: readonly string[];
      control: ControlRef;
      revoke: number;
      authorize: number;
    }
  /** The finding names two different accounts. */
  | { code: 'account-mismatch'; accountId: string; field: string; otherAccountId: string }
  /** The account is not one the hub may act in. */
  | { code: 'account-not-allowed'; accountId: string }
  /** The message is not a finding the hub can read. */
  | { code: 'malformed'; message: string }
  /**
   * The ledger refused the finding's own record with an error that would come back on every delivery (its
   * item too large, a key it will not take): recorded under a key of the message instead, as `failed`.
   */
  | { code: 'record-refused'; alertId: string | undefined; eventKey: string | undefined; error: string }
  /** Every planned revocation was already gone, and the group, read again, no longer needs one. */
  | { code: 'already-closed'; check: Reason };

export type ReasonCode = Reason['code'];

export type Note =
  /** The group's exemption tag is a date whose day has ended (UTC): the group is treated like any other. */
  | { code: 'exemption-expired'; tag: string; until: string }
  /** The group's exemption tag has a value that is no exemption (neither `true` nor a `YYYY-MM-DD` date). */
  | { code: 'exemption-not-understood'; tag: string; value: string }
  /** `narrow` could not narrow a protocol -1 rule: it is revoked whole. */
  | { code: 'all-traffic-revoked-whole' }
  /** `narrow` could not narrow an ICMP "all types" rule: it is revoked whole. */
  | { code: 'all-icmp-types-revoked-whole' }
  /**
   * Revoked rules also opened ports the control authorises (Security Hub EC2.18): those are re-authorized for the
   * same CIDRs, whatever the strategy, as `rules` rules. `ports` names the authorised ports: `tcp 80, 443`.
   */
  | { code: 'authorized-ports-kept'; ports: string; rules: number }
  /**
   * An attempt whose lease expired before it recorded its result was taken over: its planned revocations that
   * are absent now, and its planned re-authorizations present now, are counted as its work.
   */
  | { code: 'unrecorded-changes-counted'; revoked: number; authorized: number }
  /**
   * Changes whose answer was lost (the call was sent again and found them made, or an attempt that failed
   * sending them finds them made now): counted as the hub's, so the audit trail and undo have them.
   */
  | { code: 'answer-lost'; revoked: number; authorized: number }
  /** Re-authorizations of the rest of a range an earlier attempt revoked were never made, and are not now. */
  | { code: 'reauthorizations-unmade'; count: number }
  /** EC2 said a rule was already gone or already there: someone else changed the group meanwhile. */
  | { code: 'concurrent-change'; alreadyGone: number; alreadyThere: number; notAuthorized: number }
  /** The rest of a range could not be re-authorized; the exposure is closed, those ports stay closed. */
  | {
      code: 'reauthorization-failed';
      rules: number;
      retriesExhausted: boolean;
      retries: number;
      error: string;
    }
  /** The group, read again after a concurrent change, still needs a change. */
  | { code: 'still-needed'; check: Reason }
  /** `narrow`: port ranges to revoke vanished, and another worker narrowing them may re-open part of them. */
  | { code: 'ranges-vanished'; count: number };

export type NoteCode = Note['code'];

/** A record's or plan's whole explanation. */
export interface Explanation {
  reason: Reason;
  notes: readonly Note[];
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const about = (control: ControlRef): string => `(${control.id}, ${control.service})`;
const was = (n: number): string => (n === 1 ? 'was' : 'were');
const is = (n: number): string => (n === 1 ? 'is' : 'are');

/** One reason in English. */
export function renderReason(reason: Reason): string {
  switch (reason.code) {
    case 'not-actionable':
      if (reason.testMessage) {
        return `${reason.field} is ${reason.value}: the source's integration test message, consumed without action`;
      }
      return `${reason.field} is ${reason.value}; only ${reason.actedOn.join(' and ')} ${reason.actedOn.length === 1 ? 'is' : 'are'} remediated`;
    case 'unsupported-control':
      return `${reason.control} (${reason.name}) is not one the hub remediates`;
    case 'exempt':
      return `${reason.groupId} is tagged ${reason.tag}=${reason.value}${reason.until === undefined ? '' : ` (exempt until the end of ${reason.until} UTC)`}; ${reason.exposure}${reason.worldCidrs ? ` from ${reason.worldCidrs.join(' and ')}` : ''} left open ${about(reason.control)}`;
    case 'compliant':
      return reason.worldCidrs
        ? `no ${reason.exposure} open to ${reason.worldCidrs.join(' or ')} in ${reason.groupId} ${about(reason.control)}`
        : `no world-open ${reason.exposure} in ${reason.groupId} ${about(reason.control)}`;
    case 'revoke':
      return `revoke ${reason.exposure} from ${reason.cidrs.join(' and ')} ${about(reason.control)}`;
    case 'narrow': {
      const rest =
        reason.authorize === 0
          ? ''
          : `, re-authorize the rest of the port range as ${count(reason.authorize, 'rule')}`;
      return `narrow ${reason.exposure} from ${reason.cidrs.join(' and ')} ${about(reason.control)}: revoke ${count(reason.revoke, 'rule')}${rest}`;
    }
    case 'account-mismatch':
      return `the finding names account ${reason.accountId} but its ${reason.field} names ${reason.otherAccountId}`;
    case 'account-not-allowed':
      return `account ${reason.accountId} is not on the hub's allow-list`;
    case 'malformed':
      return reason.message;
    case 'record-refused':
      return `the ledger refused the record of ${reason.alertId === undefined ? 'this message' : `${reason.alertId} (${reason.eventKey})`} with an error that would come back on every delivery (${reason.error}); recorded here instead, under the message's key, and the message is consumed`;
    case 'already-closed':
      return `every planned revocation was already gone (InvalidPermission.NotFound); read again, the group no longer needs it (${renderReason(reason.check)})`;
  }
}

/** One note in English. */
export function renderNote(note: Note): string {
  switch (note.code) {
    case 'exemption-expired':
      return `the exemption ${note.tag}=${note.until} expired at the end of ${note.until} UTC, so the group is no longer exempt`;
    case 'exemption-not-understood':
      return `the tag ${note.tag}=${JSON.stringify(note.value)} is not an exemption (expected true, or the last day as YYYY-MM-DD such as 2027-03-31), so the group is not exempt`;
    case 'all-traffic-revoked-whole':
      return 'protocol -1 (all traffic) cannot be narrowed, so it is revoked whole';
    case 'all-icmp-types-revoked-whole':
      return 'ICMP type -1 (all types) cannot be narrowed, so it is revoked whole';
    case 'authorized-ports-kept':
      return `the revoked rules also opened authorised ports, which stay open: ${note.ports} re-authorized as ${count(note.rules, 'rule')}`;
    case 'unrecorded-changes-counted': {
      if (note.revoked + note.authorized === 0) return '';
      const authorized =
        note.authorized > 0
          ? `, and ${count(note.authorized, 're-authorization')} it planned found in the group (not there before it) as authorized`
          : '';
      return `an earlier attempt was taken over after its lease expired without its result being recorded: ${count(note.revoked, 'revocation')} it planned, absent on retry: removed by the earlier attempt whose result was not recorded, or by another change; counted as revoked${authorized} (its request ids are in its log)`;
    }
    case 'answer-lost': {
      const made = [
        note.revoked > 0 ? count(note.revoked, 'revocation') : '',
        note.authorized > 0 ? count(note.authorized, 're-authorization') : '',
      ].filter((part) => part !== '');
      return `EC2's answer to ${made.join(' and ')} was lost (a reset after EC2 applied the call): found made when the call was sent again or the group read again, counted as the hub's`;
    }
    case 'reauthorizations-unmade':
      return `${count(note.count, 're-authorization')} of the rest of a range an earlier attempt revoked ${was(note.count)} never made (that attempt stopped first) and ${is(note.count)} not made now: the exposure is closed, and those ports stay closed until someone authorizes them`;
    case 'concurrent-change': {
      const parts = [
        note.alreadyGone > 0
          ? `${count(note.alreadyGone, 'planned revocation')} already gone (InvalidPermission.NotFound)`
          : '',
        note.alreadyThere > 0
          ? `${count(note.alreadyThere, 'planned re-authorization')} already there (InvalidPermission.Duplicate)`
          : '',
        note.notAuthorized > 0
          ? `${count(note.notAuthorized, 're-authorization')} not made, as the rule it narrows was not revoked by this attempt`
          : '',
      ].filter((part) => part !== '');
      return `a concurrent change was detected: ${parts.join(', ')}`;
    }
    case 'reauthorization-failed': {
      const how = note.retriesExhausted
        ? `the re-authorization failed after ${note.retries} retries with a retryable error, `
        : '';
      return `the rest of the range could not be re-authorized (${how}${count(note.rules, 'rule')} not authorized: ${note.error}): the exposure is closed, and those ports stay closed until someone authorizes them`;
    }
    case 'still-needed':
      return `the group read again still needs: ${renderReason(note.check)}`;
    case 'ranges-vanished':
      return `${count(note.count, 'port range')} to revoke vanished, and another worker narrowing it may be about to re-authorize part of it`;
  }
}

/** The reason, then each note, as one line: what the record's `reason` says. */
export function renderExplanation(explanation: Explanation): string {
  return [renderReason(explanation.reason), ...explanation.notes.map(renderNote)]
    .filter((part) => part !== '')
    .join('; ');
}
