import { randomBytes } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type IpPermission,
  loadConfig,
  type Outcome,
  type Source,
  worldExposures,
} from '@remediation-hub/core';
import type { AlertResult } from '@remediation-hub/hub-handler';
import { createCompositionRoot, createLambdaHandler, createLogger } from '@remediation-hub/hub-handler';
import {
  assumeAccount,
  awsClientConfig,
  consumeQueue,
  hubCredentials,
  localLambdaContext,
  localUp,
  makeAlert,
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  type OutcomeSubscription,
  putEvents,
  type RecordingProxy,
  receiveOutcomeEvents,
  securityHubEvent,
  startRecordingProxy,
  subscribeOutcomeQueue,
} from '@remediation-hub/local';
import { formatPermission, formatPermissions } from '../format/formatPermission.js';
import {
  DEFAULT_DEMO_ACCOUNTS,
  DEMO_ALERTS,
  DEMO_GROUPS,
  type DemoAccounts,
  type DemoAlertSpec,
  type DemoGroupSpec,
} from './demoScenario.js';

export const DEMO_STAGES = ['hub', 'members', 'publish', 'consume', 'verify'] as const;
export type DemoStage = (typeof DEMO_STAGES)[number];

export interface DemoOptions {
  /** The emulator (moto). Nothing here ever talks to AWS. */
  endpoint: string;
  accounts?: DemoAccounts;
  /** Prefixes every name (hub resources, groups), so a run can share an emulator with others. */
  prefix?: string;
  /** Called when a stage starts (the CLI shows it on a terminal). */
  onProgress?: (stage: DemoStage, message: string) => void;
}

export interface DemoStageResult {
  stage: DemoStage;
  detail: string;
  ms: number;
}

export interface DemoAlertResult {
  label: string;
  source: Source;
  alertId: string;
  status: string;
  /** The notification's ledger sort key (`fail`, `FAILED#<UpdatedAt>`, `open#<lastSeen>`). */
  eventKey: string;
  accountId: string;
  region: string;
  groupId: string;
  groupName: string | undefined;
  signature: string;
  expected: Outcome;
  /** What the hub answered for this delivery (`retry` or `missing` when it never completed). */
  actual: AlertResult['outcome'] | 'missing';
  /**
   * The outcome of the event the outcome topic's subscriber received for this notification, `none` when none
   * came (a duplicate delivery publishes none: its notification's event is on the first delivery's line).
   */
  event: Outcome | 'none';
  /** One event per completed notification, saying what the hub recorded; none for a duplicate. */
  eventOk: boolean;
  ok: boolean;
}

/** A subscriber of the outcome topic in the demo, and how many events it got. */
export interface DemoSubscriber {
  name: string;
  /** Its SNS filter policy; none: every event. */
  filterPolicy: Record<string, unknown> | undefined;
  expected: number;
  received: number;
  /** `<alert id> <outcome>` of each event received, in the order received. */
  events: string[];
  ok: boolean;
}

export interface DemoGroupResult {
  key: string;
  accountId: string;
  region: string;
  groupId: string;
  groupName: string;
  worldOpenBefore: string[];
  /** The world-open rules of before that are gone after. */
  closed: string[];
  worldOpenAfter: string[];
  expectedWorldOpenAfter: string[];
  /** Rules from narrower sources after the hub ran: never touched. */
  otherAfter: string[];
  expectedOtherAfter: string[];
  /** The scenario's note on what stays open, where it says one. */
  note: string | undefined;
  ok: boolean;
}

export interface DemoResult {
  ok: boolean;
  runId: string;
  endpoint: string;
  hub: {
    topicArn: string;
    queueUrl: string;
    ledgerTable: string;
    allowedAccounts: string[];
    outcomeTopicArn: string;
  };
  /** The hub's configuration as environment variables (what `consume`, `audit` and `undo` read). */
  hubEnv: Record<string, string>;
  stages: DemoStageResult[];
  alerts: DemoAlertResult[];
  /** The outcome topic's subscribers: every event, and only what on-call cares about. */
  subscribers: DemoSubscriber[];
  groups: DemoGroupResult[];
  assumeRole: {
    /** One per member account with an allowed, actionable alert; none for the outsider. */
    expected: number;
    actual: number;
    byAccount: Record<string, number>;
    /** Every call carried the hub's external id. */
    externalIdSent: boolean;
    ok: boolean;
  };
  /** Every way the run differed from the scenario, one sentence each. */
  problems: string[];
}

/**
 * The whole pipeline on the emulator, as the hub runs in AWS: `localUp` creates the hub (SNS topic, SQS
 * queue with DLQ, ledger) and the member roles; the demo creates exposed security groups in three member
 * accounts and two regions, publishes Evident alerts for them to the topic (plus a second delivery of
 * one, an alert for an account off the allow-list and a `pass`), and runs the Lambda handler over the
 * queue. The hub's STS traffic goes through a recording proxy so AssumeRole calls are counted as sent.
 * Returns what happened next to what the scenario expects; it never throws for a wrong outcome.
 */
/** One alert the scenario published, and the group it is about. */
interface PublishedAlert {
  spec: DemoAlertSpec;
  source: Source;
  alertId: string;
  /** The notification's ledger sort key, as the hub reads it from the message. */
  eventKey: string;
  accountId: string;
  region: string;
  groupId: string;
  groupName: string | undefined;
}

export async function runDemoScenario(options: DemoOptions): Promise<DemoResult> {
  const accounts = options.accounts ?? DEFAULT_DEMO_ACCOUNTS;
  const runId = randomBytes(3).toString('hex');
  const prefix = options.prefix ?? 'demo-';
  const progress = options.onProgress ?? (() => {});
  const { endpoint } = options;
  const stages: DemoStageResult[] = [];
  const stage = async <T>(name: DemoStage, message: string, run: () => Promise<[T, string]>): Promise<T> => {
    progress(name, message);
    const started = performance.now();
    const [value, detail] = await run();
    stages.push({ stage: name, detail, ms: Math.round(performance.now() - started) });
    return value;
  };

  // 1. The hub and the member roles; two subscribers of the outcome topic, as chat or a ticket queue would be.
  const subscriptions: Array<{ name: string; subscription: OutcomeSubscription }> = [];
  const hub = await stage(
    'hub',
    'creating the hub: SNS topics, SQS queue and DLQ, ledger table, member roles, outcome subscribers',
    async () => {
      const up = await localUp({
        accounts: [...accounts.members],
        endpoint,
        region: accounts.regions[0],
        credentials: hubCredentials,
        prefix,
        // A bus of the demo's own: other hubs on the same emulator keep their rules on the default bus.
        eventBusName: `${prefix}security-hub`,
      });
      const outcomeTopicArn = up.outcomeTopic?.arn;
      if (outcomeTopicArn === undefined) throw new Error('local up created no outcome topic');
      const sns = new SNSClient(awsClientConfig({ endpoint, region: up.region }));
      const sqs = new SQSClient(awsClientConfig({ endpoint, region: up.region }));
      try {
        for (const { suffix, filterPolicy } of DEMO_SUBSCRIBERS) {
          const name = `${prefix}outcomes-${suffix}-${runId}`;
          const subscription = await subscribeOutcomeQueue({
            sns,
            sqs,
            topicArn: outcomeTopicArn,
            queueName: name,
            filterPolicy,
          });
          subscriptions.push({ name, subscription });
        }
      } finally {
        sns.destroy();
        sqs.destroy();
      }
      return [
        up,
        `SNS topic, SQS queue + DLQ, ledger ${up.ledgerTable.name}, ${up.memberRoles.length} member roles, outcome topic + ${subscriptions.length} subscribers`,
      ];
    },
  );

  // 2. Exposed security groups in the member accounts.
  const created = await stage(
    'members',
    'creating exposed security groups in the member accounts',
    async () => {
      const groups = new Map<
        string,
        { spec: DemoGroupSpec; accountId: string; region: string; groupId: string; name: string }
      >();
      for (const spec of DEMO_GROUPS) {
        const accountId = accounts.members[spec.member];
        const region = accounts.regions[spec.region];
        const ec2 = await memberEc2(endpoint, accountId, region);
        const name = `${prefix}${spec.name}-${runId}`;
        try {
          const { GroupId } = await ec2.send(
            new CreateSecurityGroupCommand({
              GroupName: name,
              Description: spec.description,
              ...(spec.tags
                ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: spec.tags }] }
                : {}),
            }),
          );
          if (!GroupId) throw new Error(`CreateSecurityGroup ${name} returned no GroupId`);
          await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: spec.ingress }));
          groups.set(spec.key, { spec, accountId, region, groupId: GroupId, name });
        } finally {
          ec2.destroy();
        }
      }
      return [
        groups,
        `${groups.size} security groups in ${accounts.members.length} accounts × ${accounts.regions.join(', ')}`,
      ];
    },
  );

  const before = await describeWorldOpen(endpoint, [...created.values()]);

  // 3. Each finding the way its source sends it: Evident to the topic, Security Hub through EventBridge (its rule
  //    sends the event to the queue), Prisma Cloud straight to the queue.
  const bySource = (source: Source) => DEMO_ALERTS.filter((a) => (a.source ?? 'evident') === source).length;
  const published = await stage(
    'publish',
    `sending ${DEMO_ALERTS.length} findings: Evident to the hub topic, Security Hub through EventBridge, Prisma Cloud to the queue`,
    async () => {
      const config = awsClientConfig({ endpoint, region: hub.region });
      const sns = new SNSClient(config);
      const sqs = new SQSClient(config);
      const events = new EventBridgeClient(config);
      const entries: PublishedAlert[] = [];
      const ids = new Map<string, string>();
      try {
        for (const [index, spec] of DEMO_ALERTS.entries()) {
          const number = 900_000_000 + Number.parseInt(runId, 16) * 10 + index;
          const target = typeof spec.group === 'string' ? created.get(spec.group) : undefined;
          const accountId = target?.accountId ?? accounts.outsider;
          const region = target?.region ?? accounts.regions[0];
          const groupId = target?.groupId ?? (typeof spec.group === 'string' ? '' : spec.group.groupId);
          const source = spec.source ?? 'evident';
          const where = { accountId, region, groupId, groupName: target?.name };
          // Each tool saw its failure a while ago: time-to-close in the events and `audit stats` runs from here.
          const firstSeenAt = new Date(Date.now() - (12 + 7 * index) * 60_000);
          if (source === 'security-hub') {
            const finding = makeSecurityHubFinding({
              form: 'consolidated',
              control: spec.signature,
              firstSeenAt,
              ...where,
            });
            await putEvents(events, [securityHubEvent([finding])], hub.securityHubRule.eventBusName);
            entries.push({
              spec,
              source,
              alertId: finding.Id,
              eventKey: `FAILED#${finding.UpdatedAt}`,
              ...where,
            });
            continue;
          }
          if (source === 'prisma-cloud') {
            const alert = makePrismaCloudAlert({
              alertId: `P-${number}`,
              policyId: spec.signature,
              firstSeenAt,
              ...where,
            });
            await sqs.send(
              new SendMessageCommand({ QueueUrl: hub.queue.url, MessageBody: JSON.stringify(alert) }),
            );
            const eventKey = `${alert.alertStatus}#${new Date(alert.lastSeen).toISOString()}`;
            entries.push({ spec, source, alertId: alert.alertId, eventKey, ...where });
            continue;
          }
          const alertId = spec.duplicateOf ? (ids.get(spec.duplicateOf) ?? '') : `${number}`;
          ids.set(spec.label, alertId);
          const doc = makeAlert({
            id: alertId,
            status: spec.status === 'pass' ? 'pass' : 'fail',
            accountId,
            region,
            groupId,
            signature: spec.signature,
            signatureName: spec.signatureName,
            startedAt: firstSeenAt,
          });
          await sns.send(new PublishCommand({ TopicArn: hub.topic.arn, Message: JSON.stringify(doc) }));
          entries.push({ spec, source, alertId, eventKey: spec.status, ...where });
        }
      } finally {
        sns.destroy();
        sqs.destroy();
        events.destroy();
      }
      return [
        entries,
        `${bySource('evident')} Evident alerts to the topic, ${bySource('security-hub')} Security Hub finding via EventBridge, ${bySource('prisma-cloud')} Prisma Cloud alert to the queue`,
      ];
    },
  );

  // 4. The hub handler over the queue, its STS traffic through the recording proxy.
  const proxy: RecordingProxy = await startRecordingProxy({ target: endpoint });
  const results: AlertResult[] = [];
  try {
    await stage('consume', 'running the hub handler over the queue', async () => {
      const config = loadConfig({ ...hub.env, AWS_ENDPOINT_URL: endpoint });
      const root = createCompositionRoot({
        config,
        endpoint: proxy.endpoint,
        credentials: hubCredentials,
        logger: createLogger({ level: 'silent', destination: 'stderr' }),
        sessionName: 'remediation-hub-demo',
      });
      const handler = createLambdaHandler(root, { onBatch: (batch) => results.push(...batch.results) });
      const sqs = new SQSClient(awsClientConfig({ endpoint, region: hub.region }));
      try {
        const summary = await consumeQueue({
          sqs,
          queueUrl: hub.queue.url,
          handle: (event) => handler(event, localLambdaContext('remediation-hub-demo')),
          once: true,
          waitTimeSeconds: 1,
          retryDelaySeconds: 1,
          region: hub.region,
        });
        return [
          summary,
          `${summary.received} messages in ${summary.batches} batch${summary.batches === 1 ? '' : 'es'}, ${summary.deleted} done, ${summary.returned} sent back`,
        ];
      } finally {
        sqs.destroy();
        root.destroy();
      }
    });
  } finally {
    await proxy.close();
  }

  // 5. Compare with the scenario.
  return stage(
    'verify',
    'checking outcomes, outcome events, security groups and AssumeRole calls',
    async () => {
      const problems: string[] = [];
      const outcomes = matchResults(published, results);
      for (const alert of outcomes) {
        if (alert.actual !== alert.expected) {
          problems.push(`alert ${alert.label}: expected ${alert.expected}, got ${alert.actual}`);
        }
      }
      const { alerts, subscribers } = await checkOutcomeEvents(endpoint, hub.region, outcomes, subscriptions);
      for (const alert of alerts) {
        if (!alert.eventOk) {
          problems.push(
            `outcome event of ${alert.label}: the hub answered ${alert.actual}, the subscriber got ${alert.event === 'none' ? 'no event' : `an event saying ${alert.event}`}`,
          );
        }
      }
      for (const subscriber of subscribers) {
        if (!subscriber.ok) {
          problems.push(
            `subscriber ${subscriber.name}: expected ${subscriber.expected} events, got ${subscriber.received}`,
          );
        }
      }
      const after = await describeWorldOpen(endpoint, [...created.values()]);
      const groups: DemoGroupResult[] = [...created.values()].map((g) => {
        const worldOpenAfter = after.get(g.groupId)?.world ?? [];
        const otherAfter = after.get(g.groupId)?.other ?? [];
        const worldOk = sameSet(worldOpenAfter, g.spec.worldOpenAfter);
        const otherOk = sameSet(otherAfter, g.spec.otherAfter);
        if (!worldOk) {
          problems.push(
            `group ${g.name}: world-open after is [${worldOpenAfter.join('; ')}], expected [${g.spec.worldOpenAfter.join('; ')}]`,
          );
        }
        if (!otherOk) {
          problems.push(
            `group ${g.name}: narrower rules after are [${otherAfter.join('; ')}], expected [${g.spec.otherAfter.join('; ')}] untouched`,
          );
        }
        const ok = worldOk && otherOk;
        const worldOpenBefore = before.get(g.groupId)?.world ?? [];
        return {
          key: g.spec.key,
          accountId: g.accountId,
          region: g.region,
          groupId: g.groupId,
          groupName: g.name,
          worldOpenBefore,
          closed: worldOpenBefore.filter((rule) => !worldOpenAfter.includes(rule)),
          worldOpenAfter,
          expectedWorldOpenAfter: g.spec.worldOpenAfter,
          otherAfter,
          expectedOtherAfter: g.spec.otherAfter,
          note: g.spec.note,
          ok,
        };
      });

      const assumeRoles = proxy.requests.filter((r) => r.action === 'AssumeRole');
      const byAccount: Record<string, number> = {};
      for (const request of assumeRoles) {
        const account = /^arn:[^:]+:iam::(\d{12}):/.exec(request.params.RoleArn ?? '')?.[1] ?? 'unknown';
        byAccount[account] = (byAccount[account] ?? 0) + 1;
      }
      const expectedAccounts = new Set(
        published
          .filter((p) => p.spec.status !== 'pass' && p.spec.expected !== 'rejected')
          .map((p) => p.accountId),
      );
      const externalIdSent = assumeRoles.every((r) => r.params.ExternalId === hub.externalId);
      const assumeRoleOk =
        assumeRoles.length === expectedAccounts.size &&
        [...expectedAccounts].every((a) => byAccount[a] === 1) &&
        byAccount[accounts.outsider] === undefined &&
        externalIdSent;
      if (!assumeRoleOk) {
        problems.push(
          `AssumeRole: expected one call for each of ${[...expectedAccounts].join(', ')} with the external id, got ${JSON.stringify(byAccount)}${externalIdSent ? '' : ' (external id missing)'}`,
        );
      }

      const result: DemoResult = {
        ok: problems.length === 0,
        runId,
        endpoint,
        hub: {
          topicArn: hub.topic.arn,
          queueUrl: hub.queue.url,
          ledgerTable: hub.ledgerTable.name,
          allowedAccounts: [...accounts.members],
          outcomeTopicArn: hub.outcomeTopic?.arn ?? '',
        },
        hubEnv: hub.env,
        stages,
        alerts,
        subscribers,
        groups,
        assumeRole: {
          expected: expectedAccounts.size,
          actual: assumeRoles.length,
          byAccount,
          externalIdSent,
          ok: assumeRoleOk,
        },
        problems,
      };
      return [result, problems.length === 0 ? 'everything as expected' : `${problems.length} problem(s)`];
    },
  );
}

/**
 * Pairs each published alert with the hub's answer. Deliveries of the same notification are paired in
 * the order the hub processed them: whichever came first is the one that acted, the other the duplicate.
 */
function matchResults(
  published: readonly PublishedAlert[],
  results: readonly AlertResult[],
): Array<Omit<DemoAlertResult, 'event' | 'eventOk'>> {
  const queues = new Map<string, AlertResult[]>();
  for (const result of results) {
    if (result.outcome === 'retry') continue;
    const key = `${result.alertId}|${result.eventKey}`;
    queues.set(key, [...(queues.get(key) ?? []), result]);
  }
  const retried = new Set(
    results.filter((r) => r.outcome === 'retry').map((r) => `${r.alertId}|${r.eventKey}`),
  );
  return published.map((p) => {
    const key = `${p.alertId}|${p.eventKey}`;
    const answer = queues.get(key)?.shift();
    const actual: DemoAlertResult['actual'] = answer?.outcome ?? (retried.has(key) ? 'retry' : 'missing');
    return {
      label: p.spec.label,
      source: p.source,
      alertId: p.alertId,
      status: p.spec.status,
      eventKey: p.eventKey,
      accountId: p.accountId,
      region: p.region,
      groupId: p.groupId,
      groupName: p.groupName,
      signature: p.spec.signature,
      expected: p.spec.expected,
      actual,
      ok: actual === p.spec.expected,
    };
  });
}

/** The demo's subscribers of the outcome topic: everything, and what on-call is paged for. */
export const DEMO_SUBSCRIBERS: ReadonlyArray<{ suffix: string; filterPolicy?: Record<string, unknown> }> = [
  { suffix: 'all' },
  { suffix: 'on-call', filterPolicy: { outcome: ['failed', 'rejected'] } },
];

/** The outcomes that publish no event: a duplicate delivery, and a delivery that never completed. */
const NO_EVENT = new Set<string>(['duplicate', 'retry', 'missing']);

/**
 * Receives what each subscriber got and checks it: the unfiltered one exactly one event per completed
 * notification, saying the outcome the hub recorded; the filtered one exactly those its policy matches.
 */
async function checkOutcomeEvents(
  endpoint: string,
  region: string,
  outcomes: ReadonlyArray<Omit<DemoAlertResult, 'event' | 'eventOk'>>,
  subscriptions: ReadonlyArray<{ name: string; subscription: OutcomeSubscription }>,
): Promise<{ alerts: DemoAlertResult[]; subscribers: DemoSubscriber[] }> {
  const sqs = new SQSClient(awsClientConfig({ endpoint, region }));
  try {
    const completed = outcomes.filter((a) => !NO_EVENT.has(a.actual));
    const subscribers: DemoSubscriber[] = [];
    let everything: Array<{ event: Record<string, unknown> }> = [];
    for (const { name, subscription } of subscriptions) {
      const allowed = (subscription.filterPolicy?.outcome as string[] | undefined) ?? undefined;
      const expected = completed.filter((a) => allowed === undefined || allowed.includes(a.actual)).length;
      const received = await receiveOutcomeEvents(sqs, subscription.queueUrl, {
        count: expected,
        idleSeconds: 1,
      });
      if (subscription.filterPolicy === undefined) everything = received;
      subscribers.push({
        name,
        filterPolicy: subscription.filterPolicy,
        expected,
        received: received.length,
        events: received.map(({ event }) => `${event.findingId} ${event.outcome}`),
        ok: received.length === expected,
      });
    }
    const eventOf = new Map<string, Outcome[]>();
    for (const { event } of everything) {
      const key = `${event.findingId}|${event.eventKey}`;
      eventOf.set(key, [...(eventOf.get(key) ?? []), event.outcome as Outcome]);
    }
    const alerts = outcomes.map((alert): DemoAlertResult => {
      const key = `${alert.alertId}|${alert.eventKey}`;
      const expectsEvent = !NO_EVENT.has(alert.actual);
      const event = expectsEvent ? (eventOf.get(key)?.shift() ?? 'none') : 'none';
      const eventOk = expectsEvent ? event === alert.actual : true;
      return { ...alert, event, eventOk, ok: alert.ok && eventOk };
    });
    // An event left over is one too many (a second event for one notification).
    for (const [key, extra] of eventOf) {
      for (const outcome of extra) {
        const subscriber = subscribers.find((s) => s.filterPolicy === undefined);
        if (subscriber) {
          subscriber.ok = false;
          subscriber.events.push(`(extra) ${key.split('|')[0]} ${outcome}`);
        }
      }
    }
    return { alerts, subscribers };
  } finally {
    sqs.destroy();
  }
}

async function memberEc2(endpoint: string, accountId: string, region: string): Promise<EC2Client> {
  const credentials = await assumeAccount(accountId, { endpoint });
  return new EC2Client(awsClientConfig({ endpoint, region, credentials }));
}

/**
 * Each group's ingress rules as the member account sees them, split into world-open ones
 * (`tcp 22 from 0.0.0.0/0`) and the others (narrower CIDRs, groups, prefix lists).
 */
async function describeWorldOpen(
  endpoint: string,
  groups: ReadonlyArray<{ accountId: string; region: string; groupId: string }>,
): Promise<Map<string, { world: string[]; other: string[] }>> {
  const out = new Map<string, { world: string[]; other: string[] }>();
  for (const group of groups) {
    const ec2 = await memberEc2(endpoint, group.accountId, group.region);
    try {
      const { SecurityGroups } = await ec2.send(
        new DescribeSecurityGroupsCommand({ GroupIds: [group.groupId] }),
      );
      const permissions = SecurityGroups?.[0]?.IpPermissions ?? [];
      const world = worldOpenRules(permissions);
      const other = formatPermissions(permissions)
        .filter((rule) => !world.includes(rule))
        .sort();
      out.set(group.groupId, { world, other });
    } finally {
      ec2.destroy();
    }
  }
  return out;
}

/** `tcp 22 from 0.0.0.0/0`, one per world CIDR, sorted. */
export function worldOpenRules(permissions: readonly IpPermission[]): string[] {
  return worldExposures(permissions)
    .flatMap((rule) =>
      formatPermission({
        IpProtocol: rule.ipProtocol,
        FromPort: rule.fromPort,
        ToPort: rule.toPort,
        ...(rule.family === 'ipv4'
          ? { IpRanges: [{ CidrIp: rule.cidr }] }
          : { Ipv6Ranges: [{ CidrIpv6: rule.cidr }] }),
      }),
    )
    .sort();
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);
}
