import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '../../src/index.js';
import { reclaimableOutcomes } from '../../src/reclaimableOutcomes.js';

describe('reclaimableOutcomes', () => {
  it('processes failed, rejected and dry-run again for an alert that is not in dry-run now', () => {
    expect([...reclaimableOutcomes(false)].sort()).toEqual(['dry-run', 'failed', 'rejected']);
  });

  it('keeps dry-run a duplicate while the alert is still in dry-run', () => {
    expect([...reclaimableOutcomes(true)].sort()).toEqual(['failed', 'rejected']);
  });

  it('never processes again an outcome after which the hub acted or decided on the group', () => {
    const final = OUTCOMES.filter((o) => !['failed', 'rejected', 'dry-run'].includes(o));
    expect(final).toContain('remediated');
    for (const dryRun of [true, false]) {
      for (const outcome of final) expect(reclaimableOutcomes(dryRun)).not.toContain(outcome);
    }
  });
});
