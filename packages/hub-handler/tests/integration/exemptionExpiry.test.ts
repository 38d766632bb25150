import {
  createGroup,
  ingressRules,
  makeAlert,
  publish,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, useTestHub } from '../support/testHub.js';

// Accounts 777777770001-009 belong to this file.
const A = '777777770001';
const KEY = 'remediation-hub:exempt';

/** `YYYY-MM-DD` of the UTC day `days` away from now. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Exemptions that expire, through SNS → SQS → handler, judged at the hub's clock. */
describe('hub pipeline: dated exemptions', () => {
  const hub = useTestHub('expiry', [A]);
  const alert = (groupId: string) =>
    makeAlert({ id: uniqueName('alert'), accountId: A, region: 'us-east-1', groupId });

  it('leaves a group exempt until the end of its date, then remediates it and records the expired exemption', async () => {
    const until = day(1);
    const groupId = await createGroup(A, 'us-east-1', [WORLD_SSH], { [KEY]: until });
    const first = alert(groupId);
    await publish(hub.sns, hub.up.topic.arn, first);
    const run = await hub.start();
    expect(countOutcomes((await consumeOnce(run, hub.sqs, hub.up.queue.url)).results)).toEqual({ exempt: 1 });
    const exempt = await run.root.ledger.get(first.data.id, 'fail');
    expect(exempt?.explanation?.reason).toMatchObject({ code: 'exempt', value: until, until });
    expect(exempt?.reason).toContain(`(exempt until the end of ${until} UTC)`);
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);

    // Two days later (the hub's clock), the same group's next alert is remediated.
    run.clock.advanceSeconds(2 * 86_400);
    const second = alert(groupId);
    await publish(hub.sns, hub.up.topic.arn, second);
    expect(countOutcomes((await consumeOnce(run, hub.sqs, hub.up.queue.url)).results)).toEqual({
      remediated: 1,
    });
    const remediated = await run.root.ledger.get(second.data.id, 'fail');
    expect(remediated?.explanation?.notes).toEqual([{ code: 'exemption-expired', tag: KEY, until }]);
    expect(remediated?.reason).toBe(
      `revoke tcp 22 from 0.0.0.0/0 (AWS:EC2-002, SSH); the exemption ${KEY}=${until} expired at the end of ${until} UTC, so the group is no longer exempt`,
    );
    expect(await ingressRules(A, 'us-east-1', groupId)).toEqual([]);
  });

  it('remediates a group whose exemption tag is no exemption, and says why', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH], { [KEY]: 'yes' });
    const doc = makeAlert({ id: uniqueName('alert'), accountId: A, region: 'eu-west-1', groupId });
    await publish(hub.sns, hub.up.topic.arn, doc);
    const run = await hub.start();
    expect(countOutcomes((await consumeOnce(run, hub.sqs, hub.up.queue.url)).results)).toEqual({
      remediated: 1,
    });
    const record = await run.root.ledger.get(doc.data.id, 'fail');
    expect(record?.explanation?.notes).toEqual([
      { code: 'exemption-not-understood', tag: KEY, value: 'yes' },
    ]);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
  });
});
