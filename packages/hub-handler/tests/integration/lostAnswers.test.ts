import {
  createGroup,
  flattenRules,
  ingressRules,
  makeAlert,
  sqsEvent,
  uniqueName,
  WORLD_ALL_TCP,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { invoke, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 333333333305-306 belong to this file.
const A = '333333333305';

/** SSH open to the whole internet on IPv4 and IPv6: two rules, two revocations. */
const WORLD_SSH_BOTH = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [{ CidrIpv6: '::/0' }],
};

/**
 * A change EC2 applied whose answer never came back (the connection reset after EC2 made it): whichever layer
 * sends the call again (the SDK's own retry, or the hub's redelivery), the rule the hub revoked is on its record.
 */
describe('hub pipeline: answers lost after EC2 applied a change', () => {
  const hub = useTestHub('lost-answers', [A]);
  const alertAbout = (groupId: string) =>
    makeAlert({ id: uniqueName('alert'), accountId: A, region: 'us-west-2', groupId });
  const lose = (run: Awaited<ReturnType<typeof hub.start>>, action: string, groupId: string) =>
    run.proxy.failNext((r) => r.action === action && r.params.GroupId === groupId, 'lose-answer');

  it('records both SSH rules as revoked when the SDK retries each revoke and EC2 answers NotFound', async () => {
    const groupId = await createGroup(A, 'us-west-2', [WORLD_SSH_BOTH]);
    const doc = alertAbout(groupId);
    const run = await hub.start({ AWS_MAX_ATTEMPTS: '3' });
    // The first try of each revoke: EC2 makes it, the answer is lost; the SDK's retry finds the rule gone.
    const seen = new Set<string>();
    run.proxy.failNext(
      (r) =>
        r.action === 'RevokeSecurityGroupIngress' &&
        r.params.GroupId === groupId &&
        !seen.has(r.body) &&
        seen.add(r.body) !== undefined,
      'lose-answer',
      2,
    );

    const response = await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(response.batchItemFailures).toEqual([]);
    // Each revoke was sent twice: the first made the change, its answer was lost; the second found it gone.
    expect(requestsOf(run, 'RevokeSecurityGroupIngress')).toHaveLength(4);
    expect(await ingressRules(A, 'us-west-2', groupId)).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      outcome: 'remediated',
      explanation: {
        reason: { code: 'revoke' },
        notes: [{ code: 'answer-lost', revoked: 2, authorized: 0 }],
      },
    });
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0']);
  });

  it('records the revocation when the answer is lost and nothing retries it at once: the redelivery finds it made', async () => {
    const groupId = await createGroup(A, 'us-west-2', [WORLD_SSH_BOTH]);
    const doc = alertAbout(groupId);
    const run = await hub.start({ AWS_MAX_ATTEMPTS: '1' });
    lose(run, 'RevokeSecurityGroupIngress', groupId);

    const first = await invoke(run, sqsEvent([JSON.stringify(doc)], uniqueName('first')));
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await run.root.ledger.get(doc.data.id, 'fail')).toMatchObject({
      state: 'in-progress',
      revoked: [],
      inDoubt: { revoke: [expect.objectContaining({ IpRanges: [{ CidrIp: '0.0.0.0/0' }] })], authorize: [] },
    });

    const again = await invoke(run, sqsEvent([JSON.stringify(doc)], uniqueName('again')));
    expect(again.batchItemFailures).toEqual([]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      outcome: 'remediated',
      explanation: { notes: expect.arrayContaining([{ code: 'answer-lost', revoked: 1, authorized: 0 }]) },
    });
    expect(record?.inDoubt).toBeUndefined();
    // The lost one is on the record with the one the redelivery revoked itself; undo could restore both.
    expect(flattenRules(record?.revoked ?? [])).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0']);
    expect(flattenRules(record?.permissionsBefore ?? [])).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0']);
    expect(await ingressRules(A, 'us-west-2', groupId)).toEqual([]);
  });

  it('narrow: counts a re-authorization whose answer was lost as made when its retry finds it there', async () => {
    const groupId = await createGroup(A, 'us-west-2', [WORLD_ALL_TCP]);
    const doc = alertAbout(groupId);
    const run = await hub.start({ AWS_MAX_ATTEMPTS: '1', STRATEGY: 'narrow' });
    lose(run, 'AuthorizeSecurityGroupIngress', groupId);

    const response = await invoke(run, sqsEvent([JSON.stringify(doc)]));

    expect(response.batchItemFailures).toEqual([]);
    expect(await ingressRules(A, 'us-west-2', groupId)).toEqual([
      'tcp 0-21 0.0.0.0/0',
      'tcp 23-65535 0.0.0.0/0',
    ]);
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record).toMatchObject({
      outcome: 'remediated',
      explanation: { notes: [{ code: 'answer-lost', revoked: 0, authorized: 1 }] },
    });
    expect(record?.error).toBeUndefined();
    expect(flattenRules(record?.authorized ?? [])).toEqual(['tcp 0-21 0.0.0.0/0', 'tcp 23-65535 0.0.0.0/0']);
  });
});
