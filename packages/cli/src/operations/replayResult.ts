import type { Ledger } from '@remediation-hub/core';
import type { AlertResult } from '@remediation-hub/hub-handler';

/**
 * `replay`'s exit code for what became of the alert, so that scripts can tell (README, "Exit codes"):
 * 0 the hub did what it should (remediated, already compliant, exempt, dry-run, ignored, unsupported, duplicate);
 * 3 rejected; 4 failed (or dead-lettered: not even the failure could be recorded); 5 resource-gone; 6 not
 * processed, retry later. 2 stays the CLI's own error (bad input).
 */
export const REPLAY_EXIT_CODES: Readonly<Record<AlertResult['outcome'], number>> = {
  remediated: 0,
  'already-compliant': 0,
  exempt: 0,
  'dry-run': 0,
  ignored: 0,
  unsupported: 0,
  duplicate: 0,
  reverted: 0,
  rejected: 3,
  failed: 4,
  'dead-lettered': 4,
  'resource-gone': 5,
  retry: 6,
};

/** The exit code of several results (an event of several findings): the highest. */
export function replayExitCode(results: readonly AlertResult[]): number {
  return Math.max(0, ...results.map((result) => REPLAY_EXIT_CODES[result.outcome]));
}

/**
 * Why, in a few words, for the result line: the hub's error in one line, shorter for the expected outcomes
 * (`resource-gone`: the group does not exist), and for a duplicate of a remediation that was undone, that an
 * undone remediation is never re-applied by the same alert, and how to close the exposure again.
 */
export async function resultDetail(result: AlertResult, ledger: Pick<Ledger, 'get'>): Promise<string> {
  if (result.outcome === 'resource-gone') {
    return `: security group ${result.groupId} does not exist (InvalidGroup.NotFound), nothing to do`;
  }
  if (result.outcome === 'duplicate' && result.alertId !== undefined && result.eventKey !== undefined) {
    const record = await ledger.get(result.alertId, result.eventKey);
    if (record?.revertedBy !== undefined) {
      return `: its remediation was undone (${record.revertedBy}), and an undone remediation is never applied again by the same alert; to close the exposure again, run \`remediation-hub scan --account ${result.accountId} --region ${result.region} --remediate\``;
    }
    return '';
  }
  return result.error ? `: ${result.error.message}` : '';
}
