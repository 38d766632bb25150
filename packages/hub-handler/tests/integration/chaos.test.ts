import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type LedgerRecord, parseFindings } from '@remediation-hub/core';
import {
  awsQueryError,
  ec2Error,
  eventOf,
  flattenRules,
  makeAlert,
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  memberEc2,
  OFFICE_SSH,
  queueDepth,
  type RecordedRequest,
  receiveMessages,
  securityHubEvent,
  uniqueName,
  WORLD_HTTPS,
} from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { consumeOnce, invoke, useTestHub } from '../support/testHub.js';

// Accounts 888888880011-019 belong to this file.
const ACCOUNTS = ['888888880011', '888888880012', '888888880013'];
const REGIONS = ['eu-central-1', 'ap-southeast-2'];
const GROUPS_PER_PLACE = 30;

/** SSH open to the world on IPv4 and IPv6 (two rules the SSH checks close), beside rules no plan touches. */
const WORLD_SSH_BOTH: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [{ CidrIpv6: '::/0' }],
};

/** A small deterministic PRNG (mulberry32): the same faults on the same groups in every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Source = 'evident' | 'security-hub' | 'prisma-cloud';
const SOURCES: readonly Source[] = ['evident', 'security-hub', 'prisma-cloud'];

interface Group {
  accountId: string;
  region: string;
  groupId: string;
}
interface Notification {
  body: string;
  alertId: string;
  eventKey: string;
  group: Group;
}

/** An SSH alert of the source about the group, as the source sends it to the queue. */
function alertBody(source: Source, group: Group, index: number): string {
  const { accountId, region, groupId } = group;
  if (source === 'evident')
    return JSON.stringify(makeAlert({ id: uniqueName('chaos'), accountId, region, groupId }));
  if (source === 'prisma-cloud') {
    const alertId = `P-${Date.now()}${String(index).padStart(4, '0')}`;
    return JSON.stringify(makePrismaCloudAlert({ alertId, accountId, region, groupId }));
  }
  return JSON.stringify(
    securityHubEvent([
      makeSecurityHubFinding({ form: 'consolidated', control: 'EC2.19', accountId, region, groupId }),
    ]),
  );
}

/** `tcp 22-22 0.0.0.0/0` for each rule a RevokeSecurityGroupIngress request names. */
function revokedRules(request: RecordedRequest): string[] {
  const permissions = new Map<string, IpPermission & { cidrs: string[] }>();
  for (const [key, value] of Object.entries(request.params)) {
    const match = /^IpPermissions\.(\d+)\.(.+)$/.exec(key);
    if (!match) continue;
    const [, index = '', field = ''] = match;
    const permission = permissions.get(index) ?? { cidrs: [] };
    permissions.set(index, permission);
    if (field === 'IpProtocol') permission.IpProtocol = value;
    else if (field === 'FromPort') permission.FromPort = Number(value);
    else if (field === 'ToPort') permission.ToPort = Number(value);
    else if (/^(IpRanges\.\d+\.CidrIp|Ipv6Ranges\.\d+\.CidrIpv6)$/.test(field)) permission.cidrs.push(value);
  }
  return [...permissions.values()].flatMap((p) =>
    p.cidrs.map((cidr) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${cidr}`),
  );
}

/** Every group of every account and region, as flattened rules. */
async function describeAll(clients: Map<string, EC2Client>): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  for (const ec2 of clients.values()) {
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(new DescribeSecurityGroupsCommand({ NextToken }));
      for (const group of page.SecurityGroups ?? []) {
        groups.set(group.GroupId ?? '', flattenRules(group.IpPermissions ?? []));
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return groups;
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

const requestLimitExceeded = {
  status: 503,
  body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.'),
};

/**
 * The hub under the faults of a real storm (docs/architecture.md, "Failure handling"), through the fault proxy:
 * alerts of three sources over three accounts and two regions, a fifth of them delivered twice, EC2 and STS
 * throttling, connections reset, revokes EC2 applied whose answer was lost, ledger writes reset, one consumer
 * that dies right after a claim (its lease then expires), and one alert that fails on every delivery into the
 * dead-letter queue and is redriven. What must hold is the audit trail's promise, not any call sequence.
 */
describe('hub pipeline: chaos', () => {
  const hub = useTestHub('chaos', ACCOUNTS);

  it('ends every notification in one completed record, revokes no rule twice, and records every change EC2 made, and no other', async () => {
    const rng = random(10);
    const clients = new Map<string, EC2Client>();
    // Created six places at a time; listed place by place in creation order, so the seed decides the same faults.
    const places = await Promise.all(
      ACCOUNTS.flatMap((accountId) =>
        REGIONS.map(async (region) => {
          const ec2 = await memberEc2(accountId, region);
          clients.set(`${accountId}/${region}`, ec2);
          const created: Group[] = [];
          for (let i = 0; i < GROUPS_PER_PLACE; i++) {
            const { GroupId = '' } = await ec2.send(
              new CreateSecurityGroupCommand({
                GroupName: uniqueName('chaos'),
                Description: 'chaos test group',
              }),
            );
            await ec2.send(
              new AuthorizeSecurityGroupIngressCommand({
                GroupId,
                IpPermissions: [WORLD_SSH_BOTH, OFFICE_SSH, WORLD_HTTPS],
              }),
            );
            created.push({ accountId, region, groupId: GroupId });
          }
          return created;
        }),
      ),
    );
    const groups = places.flat();
    const before = await describeAll(clients);

    // One alert per group, a second one of another source for every third group; a fifth delivered twice.
    const notifications: Notification[] = [];
    groups.forEach((group, index) => {
      const sources = index % 3 === 0 ? [SOURCES[index % 3], SOURCES[(index + 1) % 3]] : [SOURCES[index % 3]];
      for (const source of sources) {
        const body = alertBody(source as Source, group, notifications.length);
        const finding = parseFindings(body)[0]?.finding;
        if (!finding) throw new Error(`the ${source} alert does not parse`);
        notifications.push({ body, alertId: finding.id, eventKey: finding.eventKey, group });
      }
    });
    const bodies = notifications.flatMap((n) => (rng() < 0.2 ? [n.body, n.body] : [n.body]));
    // Shuffled, so that second deliveries land in other batches as well as in the same one.
    for (let i = bodies.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [bodies[i], bodies[j]] = [bodies[j] as string, bodies[i] as string];
    }
    for (let i = 0; i < bodies.length; i += 10) {
      await hub.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: hub.up.queue.url,
          Entries: bodies.slice(i, i + 10).map((MessageBody, n) => ({ Id: String(n), MessageBody })),
        }),
      );
    }

    // 1. A consumer claims the first alert of its batch and dies: from the next request on, nothing it sends arrives.
    const dead = await hub.start({ AWS_MAX_ATTEMPTS: '2' });
    const run = await hub.start({ AWS_MAX_ATTEMPTS: '2' });
    const batch = await receiveMessages(hub.sqs, hub.up.queue.url, 10);
    const victim = parseFindings(batch[0]?.Body ?? '')[0]?.finding?.id ?? '';
    let claimed = false;
    dead.proxy.failNext(
      (r) => {
        if (claimed) return true;
        if (
          r.service === 'dynamodb' &&
          /PutItem|UpdateItem/.test(r.action ?? '') &&
          r.body.includes(victim)
        ) {
          claimed = true;
        }
        return false;
      },
      'reset',
      Number.MAX_SAFE_INTEGER,
    );
    await invoke(dead, eventOf(batch));
    expect(claimed).toBe(true);
    const victimRecord = await run.root.ledger.get(
      victim,
      parseFindings(batch[0]?.Body ?? '')[0]?.finding?.eventKey ?? '',
    );
    expect(victimRecord?.state).toBe('in-progress');
    // The dead consumer deleted nothing: its batch comes back when its visibility timeout ends (here at once).
    for (const message of batch) {
      await hub.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: hub.up.queue.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }

    // 2. The surviving consumer, its clock past the dead one's lease, under faults (the rolls of the seed).
    run.clock.advanceSeconds(run.config.leaseSeconds + 1);
    const { proxy } = run;
    const groupOf = (r: RecordedRequest) => r.params.GroupId ?? r.params['GroupId.1'];
    const on = (action: string, groupId: string) => (r: RecordedRequest) =>
      r.action === action && groupOf(r) === groupId;
    proxy.failNext(
      { action: 'AssumeRole' },
      { status: 400, body: awsQueryError('Throttling', 'Rate exceeded') },
    );
    for (const { groupId } of groups) {
      const roll = rng();
      // Few throttles: after each, the SDK's adaptive retry mode paces the whole client (by design); 13 of
      // them made this test 30 s slower.
      if (roll < 0.01) proxy.failNext(on('DescribeSecurityGroups', groupId), requestLimitExceeded);
      else if (roll < 0.09) proxy.failNext(on('DescribeSecurityGroups', groupId), 'reset');
      else if (roll < 0.17) proxy.failNext(on('RevokeSecurityGroupIngress', groupId), 'lose-answer');
      else if (roll < 0.18)
        proxy.failNext(on('RevokeSecurityGroupIngress', groupId), requestLimitExceeded, 2);
      else if (roll < 0.23) proxy.failNext(on('RevokeSecurityGroupIngress', groupId), 'reset');
      else if (roll < 0.26) {
        const n = notifications.find((candidate) => candidate.group.groupId === groupId);
        proxy.failNext((r) => r.service === 'dynamodb' && r.body.includes(n?.alertId ?? '\u0000'), 'reset');
      } else if (roll < 0.29) {
        // The ledger applies a write (claim, checkpoint or completion) and its answer is lost.
        const n = notifications.find((candidate) => candidate.group.groupId === groupId);
        const nth = 1 + Math.floor(rng() * 3);
        let writes = 0;
        proxy.failNext(
          (r) =>
            r.service === 'dynamodb' &&
            /PutItem|UpdateItem/.test(r.action ?? '') &&
            r.body.includes(n?.alertId ?? '\u0000') &&
            ++writes === nth,
          'lose-answer',
        );
      }
    }
    // One alert fails on every delivery (EC2 down for its group) until it is in the dead-letter queue.
    // (Not one the dead consumer received: it may have completed it before its claim of the victim.)
    const received = new Set(batch.map((m) => m.Body));
    const doomed = notifications.find(
      (n) => !received.has(n.body) && notifications.filter((o) => o.group === n.group).length === 1,
    );
    if (!doomed) throw new Error('no alert to dead-letter');
    let ec2Down = true;
    proxy.failNext(
      (r) => ec2Down && on('DescribeSecurityGroups', doomed.group.groupId)(r),
      { status: 500, body: ec2Error('InternalError', 'An internal error has occurred.') },
      Number.MAX_SAFE_INTEGER,
    );

    await consumeOnce(run, hub.sqs, hub.up.queue.url);

    // 3. What is in the dead-letter queue has its reason on its record; a redrive completes it.
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    const letters = await receiveAll(hub.sqs, hub.up.deadLetterQueue.url);
    const lettered = letters.map((m) => parseFindings(m.Body ?? '')[0]?.finding);
    expect(lettered.map((f) => f?.id)).toContain(doomed.alertId);
    for (const finding of lettered) {
      const record = await run.root.ledger.get(finding?.id ?? '', finding?.eventKey ?? '');
      if (record?.state !== 'completed') {
        expect(record, finding?.id).toMatchObject({
          state: 'in-progress',
          error: { message: expect.stringMatching(/\S/) },
        });
      }
    }
    ec2Down = false;
    run.clock.advanceSeconds(run.config.leaseSeconds + 1);
    for (let i = 0; i < letters.length; i += 10) {
      const part = letters.slice(i, i + 10);
      await hub.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: hub.up.queue.url,
          Entries: part.map((m, n) => ({ Id: String(n), MessageBody: m.Body ?? '' })),
        }),
      );
      for (const m of part) {
        await hub.sqs.send(
          new DeleteMessageCommand({ QueueUrl: hub.up.deadLetterQueue.url, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
    await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(hub.sqs, hub.up.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });

    // Every notification: one completed record; the ledger holds nothing else.
    const records = new Map<string, LedgerRecord>();
    for (const record of await run.root.ledger.query({})) {
      const key = `${record.alertId}\u0000${record.eventKey}`;
      expect(records.has(key), key).toBe(false);
      records.set(key, record);
    }
    expect(records.size).toBe(notifications.length);
    // The dead consumer's claim was taken over once its lease had expired.
    const victimKey = parseFindings(batch[0]?.Body ?? '')[0]?.finding?.eventKey ?? '';
    expect(records.get(`${victim}\u0000${victimKey}`)?.attempts).toBeGreaterThanOrEqual(2);
    const byGroup = new Map<string, LedgerRecord[]>();
    for (const n of notifications) {
      const record = records.get(`${n.alertId}\u0000${n.eventKey}`);
      expect(record, n.alertId).toMatchObject({ state: 'completed', resourceId: n.group.groupId });
      expect(
        ['remediated', 'already-compliant'],
        `${n.alertId}: ${record?.outcome} ${record?.reason}`,
      ).toContain(record?.outcome);
      byGroup.set(n.group.groupId, [...(byGroup.get(n.group.groupId) ?? []), record as LedgerRecord]);
    }

    // No rule revoked twice: what the emulator applied, counted at the proxies of both consumers.
    const applied = new Map<string, number>();
    const appliedLost: RecordedRequest[] = [];
    for (const request of [...dead.proxy.requests, ...proxy.requests]) {
      if (request.action !== 'RevokeSecurityGroupIngress' || request.upstreamStatus !== 200) continue;
      if (request.status !== 200) appliedLost.push(request);
      for (const rule of revokedRules(request)) {
        const key = `${groupOf(request)} ${rule}`;
        applied.set(key, (applied.get(key) ?? 0) + 1);
      }
    }
    expect([...applied].filter(([, count]) => count > 1)).toEqual([]);
    expect(appliedLost.length).toBeGreaterThan(0);
    // (And the ledger's lost answers happened too: applied writes whose caller got no answer.)
    expect(
      proxy.requests.filter(
        (r) => r.service === 'dynamodb' && r.upstreamStatus === 200 && r.status === undefined,
      ).length,
    ).toBeGreaterThan(0);

    // Every change EC2 applied is on a record, and the groups changed by exactly what the records say.
    const after = await describeAll(clients);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [groupId, rules] of before) {
      const recorded = (byGroup.get(groupId) ?? []).flatMap((r) => flattenRules(r.revoked)).sort();
      const removed = rules.filter((rule) => !(after.get(groupId) ?? []).includes(rule));
      const added = (after.get(groupId) ?? []).filter((rule) => !rules.includes(rule));
      expect({ groupId, removed, added }).toEqual({ groupId, removed: recorded, added: [] });
      for (const key of applied.keys()) {
        if (key.startsWith(`${groupId} `)) expect(recorded, key).toContain(key.slice(groupId.length + 1));
      }
    }
    for (const n of notifications) {
      expect(after.get(n.group.groupId)).toEqual(['tcp 22-22 10.0.0.0/8', 'tcp 443-443 0.0.0.0/0']);
    }
    // A revoke whose answer was lost is on its group's record, with a note that says so.
    for (const request of appliedLost) {
      const notes = (byGroup.get(groupOf(request) ?? '') ?? []).flatMap(
        (r) => r.explanation?.notes.map((note) => note.code) ?? [],
      );
      expect(notes, groupOf(request)).toEqual(
        expect.arrayContaining([expect.stringMatching(/answer-lost|unrecorded-changes-counted/)]),
      );
    }
    for (const ec2 of clients.values()) ec2.destroy();
  }, 240_000);
});
