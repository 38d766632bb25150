import {
  createGroup,
  flattenRules,
  ingressRules,
  makeAlert,
  OFFICE_SSH,
  publish,
  queueDepth,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333320-329 belong to this file.
const A = '333333333320';
const B = '333333333321';
const C = '333333333322';

/**
 * The same notification (alert id + status) delivered again, or replayed, after the hub's configuration
 * changed: a `dry-run` or `rejected` record is processed again when the hub would now decide otherwise;
 * everything else stays a counted duplicate.
 */
describe('hub pipeline: a notification processed again after the configuration changed', () => {
  const hub = useTestHub('reprocess', [A, B, C]);
  const start = (env: Record<string, string> = {}) => hub.start(env);
  const alert = (accountId: string, region: string, groupId: string) =>
    makeAlert({ id: uniqueName('alert'), accountId, region, groupId });
  const requests = requestsOf;

  it('remediates a notification recorded as dry-run when it comes again after its account left DRY_RUN_ACCOUNTS', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH, OFFICE_SSH]);
    const doc = alert(A, 'us-east-1', groupId);

    await publish(hub.sns, hub.up.topic.arn, doc);
    const onboarding = await start({ DRY_RUN_ACCOUNTS: A });
    expect(countOutcomes((await consumeOnce(onboarding, hub.sqs, hub.up.queue.url)).results)).toEqual({
      'dry-run': 1,
    });
    const planned = await onboarding.root.ledger.get(doc.data.id, 'fail');
    expect(planned).toMatchObject({ outcome: 'dry-run', mode: 'dry-run', attempts: 1 });
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);

    // The operator removes the account from DRY_RUN_ACCOUNTS; the same notification arrives again.
    await publish(hub.sns, hub.up.topic.arn, doc);
    const remediating = await start();
    const { results } = await consumeOnce(remediating, hub.sqs, hub.up.queue.url);

    expect(results).toEqual([expect.objectContaining({ outcome: 'remediated', takenOver: false })]);
    expect(requests(remediating, 'RevokeSecurityGroupIngress')).toHaveLength(1);
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
    const records = await remediating.root.ledger.listByAlert(doc.data.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      state: 'completed',
      outcome: 'remediated',
      previousOutcome: 'dry-run',
      mode: 'remediate',
      decision: 'remediate',
      attempts: 2,
      timings: { firstSeenAt: planned?.timings.firstSeenAt },
    });
    expect(records[0]?.timings.startedAt).not.toBe(planned?.timings.startedAt);
    expect(flattenRules(records[0]?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(flattenRules(records[0]?.permissionsBefore ?? [])).toEqual([
      'tcp 22-22 0.0.0.0/0',
      'tcp 22-22 10.0.0.0/8',
    ]);
    expect(flattenRules(records[0]?.permissionsAfter ?? [])).toEqual(['tcp 22-22 10.0.0.0/8']);
    expect(records[0]?.requestIds).toHaveLength(1);
    expect(records[0]?.error).toBeUndefined();

    // Remediated is final: one more delivery is a counted duplicate, and nothing is changed (the group is
    // read before the claim, whose write would carry the checkpoint).
    await publish(hub.sns, hub.up.topic.arn, doc);
    const later = await start();
    expect(countOutcomes((await consumeOnce(later, hub.sqs, hub.up.queue.url)).results)).toEqual({
      duplicate: 1,
    });
    expect(requests(later, 'DescribeSecurityGroups')).toHaveLength(1);
    expect(requests(later, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await later.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'remediated',
      attempts: 2,
      duplicateDeliveries: 1,
    });
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps a dry-run notification a duplicate while the hub is still in dry-run', async () => {
    const groupId = await createGroup(B, 'eu-west-1', [WORLD_SSH]);
    const doc = alert(B, 'eu-west-1', groupId);

    await publish(hub.sns, hub.up.topic.arn, doc);
    const first = await start({ REMEDIATION_MODE: 'dry-run' });
    expect(countOutcomes((await consumeOnce(first, hub.sqs, hub.up.queue.url)).results)).toEqual({
      'dry-run': 1,
    });

    await publish(hub.sns, hub.up.topic.arn, doc);
    const second = await start({ REMEDIATION_MODE: 'dry-run' });
    expect(countOutcomes((await consumeOnce(second, hub.sqs, hub.up.queue.url)).results)).toEqual({
      duplicate: 1,
    });

    expect(requests(second, 'DescribeSecurityGroups')).toHaveLength(1);
    expect(requests(second, 'RevokeSecurityGroupIngress')).toEqual([]);
    expect(await second.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'dry-run',
      attempts: 1,
      duplicateDeliveries: 1,
    });
    expect(await ingressRules(B, 'eu-west-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('remediates a notification rejected while its account was off the allow-list, once the account is allowed', async () => {
    const groupId = await createGroup(C, 'us-east-1', [WORLD_SSH]);
    const doc = alert(C, 'us-east-1', groupId);

    await publish(hub.sns, hub.up.topic.arn, doc);
    const before = await start({ ALLOWED_ACCOUNTS: `${A},${B}` });
    expect(countOutcomes((await consumeOnce(before, hub.sqs, hub.up.queue.url)).results)).toEqual({
      rejected: 1,
    });
    expect(requests(before, 'AssumeRole')).toEqual([]);
    expect(await before.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      outcome: 'rejected',
      error: { name: 'AccountNotAllowedError' },
    });

    // The account is added to ALLOWED_ACCOUNTS; the same notification arrives again.
    await publish(hub.sns, hub.up.topic.arn, doc);
    const after = await start({ ALLOWED_ACCOUNTS: `${A},${B},${C}` });
    expect(countOutcomes((await consumeOnce(after, hub.sqs, hub.up.queue.url)).results)).toEqual({
      remediated: 1,
    });

    expect(await ingressRules(C, 'us-east-1', groupId)).toEqual([]);
    const records = await after.root.ledger.listByAlert(doc.data.id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'remediated', previousOutcome: 'rejected', attempts: 2 });
    // The rejection's error and reason belong to the earlier attempt, not to this remediation.
    expect(records[0]?.error).toBeUndefined();
    expect(records[0]?.explanation?.reason.code).toBe('revoke');
  });
});
