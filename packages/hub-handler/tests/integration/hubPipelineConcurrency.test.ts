import type { IpPermission } from '@aws-sdk/client-ec2';
import type { LedgerRecord } from '@remediation-hub/core';
import {
  createGroup,
  type EvidentDocument,
  eventOf,
  ingressRules,
  makeAlert,
  publish,
  queueDepth,
  receiveMessages,
  settle,
  uniqueName,
  WORLD_ALL_TCP,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/adapters/TokenBucketLimiter.js';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, invoke, useTestHub } from '../support/testHub.js';

// Accounts 333333333340-349 belong to this file.
const A = '333333333340';
const B = '333333333341';

/** The tcp ports 0-65535 that no world-open tcp rule of the group covers. */
async function closedTcpPorts(accountId: string, region: string, groupId: string): Promise<number[]> {
  const open = new Uint8Array(65536);
  for (const rule of await ingressRules(accountId, region, groupId)) {
    const match = /^tcp (\d+)-(\d+) 0\.0\.0\.0\/0$/.exec(rule);
    if (!match) continue;
    open.fill(1, Number(match[1]), Number(match[2]) + 1);
  }
  const closed: number[] = [];
  open.forEach((isOpen, port) => {
    if (!isOpen) closed.push(port);
  });
  return closed;
}

const within = (part: IpPermission, whole: IpPermission): boolean =>
  part.IpProtocol === whole.IpProtocol &&
  part.IpRanges?.[0]?.CidrIp === whole.IpRanges?.[0]?.CidrIp &&
  (whole.FromPort ?? 0) <= (part.FromPort ?? 0) &&
  (part.ToPort ?? 0) <= (whole.ToPort ?? 0);

/**
 * The record says remediated, and the only access it added (`narrow`) is part of what it revoked itself:
 * never an `already-compliant` that opened something, never access beyond what it closed.
 */
function expectHonest(record: LedgerRecord | undefined): void {
  expect(record).toMatchObject({ state: 'completed', outcome: 'remediated' });
  for (const added of record?.authorized ?? []) {
    expect(
      record?.revoked.some((removed) => within(added, removed)),
      `${record?.alertId} authorized ${added.FromPort}-${added.ToPort} beyond what it revoked`,
    ).toBe(true);
  }
}

/** Holds every worker's first EC2 change until `parties` workers have planned: they race on one group. */
function startingLine(parties: number): RateLimiter {
  let waiting = parties;
  let release: () => void = () => {};
  const allThere = new Promise<void>((resolve) => {
    release = resolve;
    // Never hang the suite: a worker that does not come lets the others go after a while.
    setTimeout(resolve, 15_000).unref();
  });
  return {
    acquire: async () => {
      if (waiting > 0 && --waiting === 0) release();
      await allThere;
    },
  };
}

/**
 * Alerts for different ports of one security group at the same moment, with strategy `narrow`: each revokes
 * the world-open range and re-authorizes the rest of it. Unless they are kept apart, each re-opens the
 * other's port (review finding 1).
 */
describe('hub pipeline: several alerts about one security group at once (narrow)', () => {
  const hub = useTestHub('concurrency', [A, B]);
  const start = (limiter?: RateLimiter) => hub.start({ STRATEGY: 'narrow' }, limiter ? { limiter } : {});
  const sshAndRdp = (accountId: string, groupId: string): EvidentDocument[] =>
    ['AWS:EC2-002', 'AWS:EC2-004'].map((signature) =>
      makeAlert({ id: uniqueName('alert'), accountId, region: 'us-east-1', groupId, signature }),
    );
  const expectDrained = async () => {
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(hub.sqs, hub.up.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
  };

  it('closes SSH and RDP of one world-open range when both alerts come in one batch: one after the other, each narrowing what the other left', async () => {
    const groupId = await createGroup(A, 'us-east-1', [WORLD_ALL_TCP]);
    const docs = sshAndRdp(A, groupId);
    for (const doc of docs) await publish(hub.sns, hub.up.topic.arn, doc);

    const run = await start();
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 2);
    const response = await invoke(run, eventOf(messages));
    await settle(hub.sqs, hub.up.queue.url, messages, response.batchItemFailures);

    expect(response.batchItemFailures).toEqual([]);
    expect(await closedTcpPorts(A, 'us-east-1', groupId)).toEqual([22, 3389]);
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([
      'tcp 0-21 0.0.0.0/0',
      'tcp 23-3388 0.0.0.0/0',
      'tcp 3390-65535 0.0.0.0/0',
    ]);
    for (const doc of docs) expectHonest(await run.root.ledger.get(doc.data.id, 'fail'));
    await expectDrained();
  });

  it('closes SSH and RDP when two Lambda containers race on the group: the one whose revocation found the range gone retries, and converges on redelivery', async () => {
    const groupId = await createGroup(B, 'us-east-1', [WORLD_ALL_TCP]);
    const docs = sshAndRdp(B, groupId);
    for (const doc of docs) await publish(hub.sns, hub.up.topic.arn, doc);

    // Both containers describe the group and plan before either changes it.
    const line = startingLine(2);
    const x = await start(line);
    const y = await start(line);
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, 2);
    const batches = [messages.slice(0, 1), messages.slice(1)];
    const responses = await Promise.all([
      invoke(x, eventOf(batches[0] ?? [])),
      invoke(y, eventOf(batches[1] ?? [])),
    ]);
    for (const [i, response] of responses.entries()) {
      await settle(hub.sqs, hub.up.queue.url, batches[i] ?? [], response.batchItemFailures);
    }

    // Both revoked 0-65535 from the same plan; EC2 confirms it to one of them.
    const revokes = [...x.proxy.requests, ...y.proxy.requests].filter(
      (r) => r.action === 'RevokeSecurityGroupIngress',
    );
    expect(
      revokes.map((r) => `${r.params['IpPermissions.1.FromPort']}-${r.params['IpPermissions.1.ToPort']}`),
    ).toEqual(['0-65535', '0-65535']);
    const first = await Promise.all(docs.map((doc) => x.root.ledger.get(doc.data.id, 'fail')));
    const retried = first.filter((record) => record?.state === 'in-progress');
    expect(retried.length).toBeGreaterThanOrEqual(1);
    for (const record of retried) {
      expect(record?.error).toMatchObject({
        name: 'ConcurrentChangeError',
        retryable: true,
        message: expect.stringContaining('a concurrent change was detected'),
      });
      // What this attempt did stays on the record; it added no access of its own.
      expect(
        record?.authorized.every((added) => record.revoked.some((removed) => within(added, removed))),
      ).toBe(true);
    }

    // The redelivery plans from the group the winner left.
    const { results } = await consumeOnce(x, hub.sqs, hub.up.queue.url);
    expect(results.map((r: AlertResult) => r.outcome)).toEqual(retried.map(() => 'remediated'));
    expect(countOutcomes(results)).toEqual(retried.length > 0 ? { remediated: retried.length } : {});

    expect(await closedTcpPorts(B, 'us-east-1', groupId)).toEqual([22, 3389]);
    for (const doc of docs) expectHonest(await x.root.ledger.get(doc.data.id, 'fail'));
    await expectDrained();
  });
});
