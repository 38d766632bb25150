import type { Decision, Outcome } from './constants.js';

/**
 * The outcome of a plan's decision when the plan needs no EC2 change, or, for `remediate`, in dry-run:
 * `compliant` after an earlier attempt's revocations is that attempt's remediation (it closed the exposure
 * before a retryable error); `undefined` means the plan's changes are to be made now.
 */
export function outcomeWithoutChanges(
  decision: Decision,
  context: { revokedBefore: number; dryRun: boolean },
): Outcome | undefined {
  switch (decision) {
    case 'compliant':
      return context.revokedBefore > 0 ? 'remediated' : 'already-compliant';
    case 'exempt':
    case 'ignored':
    case 'unsupported':
      return decision;
    case 'remediate':
      return context.dryRun ? 'dry-run' : undefined;
  }
}
