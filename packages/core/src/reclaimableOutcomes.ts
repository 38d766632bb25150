import type { Outcome } from './constants.js';

const AFTER_FAILURE_OR_REJECTION: readonly Outcome[] = ['failed', 'rejected'];
const ALSO_AFTER_DRY_RUN: readonly Outcome[] = ['failed', 'rejected', 'dry-run'];

/**
 * Which completed outcomes of a notification (alert id + status) the hub processes again when that same
 * notification is delivered again or replayed (`remediation-hub replay FILE`), instead of counting a
 * duplicate. Only outcomes after which nothing was changed, and that the current configuration can decide
 * differently:
 * - `failed`: a terminal error (e.g. a member role not deployed yet); the next delivery tries again.
 * - `rejected`: the claim is only reached once this alert passed the account checks, so an earlier
 *   rejection was made under an older configuration (the account has been added to `ALLOWED_ACCOUNTS`
 *   since) or for a malformed body that named the same alert id and status. Nothing was done then.
 * - `dry-run`, only when this alert is not in dry-run now (the account left `DRY_RUN_ACCOUNTS`, or
 *   `REMEDIATION_MODE` became `remediate`): the exposure was planned, never closed. While the alert is
 *   still in dry-run, a redelivery stays a duplicate: planning again would only repeat the record.
 * Every other outcome stays a duplicate: the hub acted on, or decided about, the live group (`remediated`,
 * `already-compliant`, `exempt`, `resource-gone`) or the alert itself (`ignored`, `unsupported`); a new
 * notification from Evident, not a re-sent old one, is what reopens those.
 */
export function reclaimableOutcomes(dryRun: boolean): readonly Outcome[] {
  return dryRun ? AFTER_FAILURE_OR_REJECTION : ALSO_AFTER_DRY_RUN;
}
