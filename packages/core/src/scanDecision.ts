import type { LedgerRecord } from './ledgerRecord.js';
import { reclaimableOutcomes } from './reclaimableOutcomes.js';

/**
 * Whether `scan --remediate` sends a finding for an exposure that is open now, from what the ledger holds for
 * it (`records`: every item of the finding's id), so that a second scan sends nothing new:
 * - nothing recorded for these rules: send (`new`, episode 1);
 * - being processed (`in-progress`): wait for it;
 * - undone with `undo`: the operator re-opened it on purpose; a scan never re-applies it;
 * - an outcome the hub would process again now (`failed`, `rejected`, `dry-run` of an account no longer in
 *   dry-run: `reclaimableOutcomes`): send the same notification again (`again`);
 * - `dry-run` while the account is still in dry-run: already planned, nothing new;
 * - any other outcome (`remediated`, `exempt`, `already-compliant`, ...): that episode is over, and the same
 *   rules are open again now: send the next episode (`reopened`).
 */
export type ScanDecision =
  | { send: true; episode: number; why: 'new' | 'again' | 'reopened'; record: LedgerRecord | undefined }
  | { send: false; why: 'in-progress' | 'undone' | 'dry-run'; record: LedgerRecord };

/** `baseKey`: the finding's eventKey at episode 1 (`scanEventKey(rules, 1)`). */
export function scanDecision(
  records: readonly LedgerRecord[],
  baseKey: string,
  dryRun: boolean,
): ScanDecision {
  let latest: { record: LedgerRecord; episode: number } | undefined;
  for (const record of records) {
    const episode = episodeOf(record.eventKey, baseKey);
    if (episode !== undefined && (latest === undefined || episode > latest.episode)) {
      latest = { record, episode };
    }
  }
  if (latest === undefined) return { send: true, episode: 1, why: 'new', record: undefined };
  const { record, episode } = latest;
  if (record.state !== 'completed') return { send: false, why: 'in-progress', record };
  if (record.revertedBy !== undefined) return { send: false, why: 'undone', record };
  if (record.outcome !== undefined && reclaimableOutcomes(dryRun).includes(record.outcome)) {
    return { send: true, episode, why: 'again', record };
  }
  if (record.outcome === 'dry-run') return { send: false, why: 'dry-run', record };
  return { send: true, episode: episode + 1, why: 'reopened', record };
}

/** The episode of a key of these rules (`open#d` is 1, `open#d#3` is 3); `undefined` for another key. */
function episodeOf(eventKey: string, baseKey: string): number | undefined {
  if (eventKey === baseKey) return 1;
  if (!eventKey.startsWith(`${baseKey}#`)) return undefined;
  const episode = Number(eventKey.slice(baseKey.length + 1));
  return Number.isInteger(episode) && episode > 1 ? episode : undefined;
}
