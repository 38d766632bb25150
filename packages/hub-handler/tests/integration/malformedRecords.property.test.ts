import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import {
  createGroup,
  ingressRules,
  localLambdaContext,
  makeAlert,
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  memberEc2,
  prismaCloudTestMessage,
  securityHubEvent,
  snsEnvelope,
  sqsEvent,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../src/handler/createLambdaHandler.js';
import type { AlertResult } from '../../src/handler/processAlert.js';
import { type HubRun, useTestHub } from '../support/testHub.js';

// Accounts 888888880001-009 belong to this file.
/** The account of the good records: the only one the hub may reach STS and EC2 for. */
const GOOD = '888888880001';
/** The account every bad record is about: allowed, with groups open to the world, so a bad record let through would show. */
const BAD = '888888880002';
const REGION = 'eu-west-1';

// biome-ignore lint/suspicious/noExplicitAny: alert documents are mutated freely.
type Doc = any;
type Source = 'evident' | 'security-hub' | 'prisma-cloud';
const SOURCES: readonly Source[] = ['evident', 'security-hub', 'prisma-cloud'];

/** A real alert of the source (from the samples), about one group, with an id no other record has. */
function alertOf(source: Source, accountId: string, groupId: string): Doc {
  if (source === 'evident') return makeAlert({ id: uniqueName('fuzz'), accountId, region: REGION, groupId });
  if (source === 'prisma-cloud') {
    const alertId = `P-${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    return makePrismaCloudAlert({ alertId, accountId, region: REGION, groupId });
  }
  return securityHubEvent([
    makeSecurityHubFinding({ form: 'consolidated', control: 'EC2.19', accountId, region: REGION, groupId }),
  ]);
}

/** Where a value sits in a document: read its parent and key (the path is followed at mutation time). */
type Place = (doc: Doc) => { parent: Doc; key: string } | undefined;
const at =
  (...path: Array<string | number>): Place =>
  (doc) => {
    let parent = doc;
    for (const segment of path.slice(0, -1)) {
      parent = parent?.[segment];
      if (parent === null || typeof parent !== 'object') return undefined;
    }
    return { parent, key: String(path.at(-1)) };
  };
const included =
  (type: string, ...path: string[]): Place =>
  (doc) =>
    at(...path)(doc.included?.find((entry: Doc) => entry?.type === type));
const finding =
  (...path: Array<string | number>): Place =>
  (doc) =>
    at(...path)(doc.detail?.findings?.[0]);

/** Fields each source's parser checks (docs/alert-format.md): a wrong value in any of them makes the record malformed. */
const CHECKED: Record<Source, Array<[string, Place]>> = {
  evident: [
    ['data', at('data')],
    ['data.id', at('data', 'id')],
    ['data.attributes', at('data', 'attributes')],
    ['data.attributes.status', at('data', 'attributes', 'status')],
    ['data.attributes.resource', at('data', 'attributes', 'resource')],
    ['included', at('included')],
    ['external_accounts.account', included('external_accounts', 'attributes', 'account')],
    ['external_accounts.arn', included('external_accounts', 'attributes', 'arn')],
    ['regions.code', included('regions', 'attributes', 'code')],
    ['signatures.identifier', included('signatures', 'attributes', 'identifier')],
  ],
  'security-hub': [
    ['detail', at('detail')],
    ['detail.findings.0', at('detail', 'findings', 0)],
    ['Id', finding('Id')],
    ['AwsAccountId', finding('AwsAccountId')],
    ['Compliance', finding('Compliance')],
    ['Compliance.Status', finding('Compliance', 'Status')],
    ['Resources', finding('Resources')],
    ['Resources.0.Id', finding('Resources', 0, 'Id')],
    ['Resources.0.Type', finding('Resources', 0, 'Type')],
  ],
  'prisma-cloud': [
    ['alertId', at('alertId')],
    ['alertStatus', at('alertStatus')],
    ['accountId', at('accountId')],
    ['resourceRegionId', at('resourceRegionId')],
    ['resourceId', at('resourceId')],
    ['resource.accountId', at('resource', 'accountId')],
  ],
};

/** Marks a place whose value is spliced in as JSON text after `JSON.stringify` (too deep for it to write). */
const DEEP = '\u0000deep\u0000';

/** A value that no checked field accepts. */
type BadValue =
  | { kind: 'value'; value: unknown }
  | { kind: 'huge'; length: number; char: string }
  | { kind: 'delete' }
  | { kind: 'deep'; depth: number; open: '[' | '{"a":' }
  | { kind: 'proto-wrapped' };
const badValue: fc.Arbitrary<BadValue> = fc.oneof(
  fc
    .constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', [], {}, ['sg-0123'], { S: 'x' })
    .map((value) => ({
      kind: 'value' as const,
      value,
    })),
  // Huge: more than any field's bound (ids: 1,024 UTF-8 bytes; groups: 64 characters after `sg-`).
  fc
    .record({ length: fc.integer({ min: 2_000, max: 200_000 }), char: fc.constantFrom('a', '9', 'é', '😀') })
    .map(({ length, char }) => ({ kind: 'huge' as const, length, char })),
  fc.constant({ kind: 'delete' as const }),
  // Thousands of levels deep (a parser that recurses, or a message that describes the value, overflows).
  fc
    .record({
      depth: fc.integer({ min: 2_000, max: 20_000 }),
      open: fc.constantFrom('[' as const, '{"a":' as const),
    })
    .map((deep) => ({ kind: 'deep' as const, ...deep })),
  // The value moved under an own `__proto__` key: a reader that assigns keys would find it through the prototype.
  fc.constant({ kind: 'proto-wrapped' as const }),
);

/** Keys a reader must treat as data: JSON.parse makes them own properties, never the prototype. */
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Sets an own enumerable property, whatever its name (`obj.__proto__ = x` would set the prototype). */
function defineOwn(target: Doc, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyBad(doc: Doc, place: Place, bad: BadValue): void {
  const spot = place(doc);
  if (spot === undefined) return;
  const { parent, key } = spot;
  const original = parent[key];
  if (bad.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (bad.kind === 'value') defineOwn(parent, key, structuredClone(bad.value));
  else if (bad.kind === 'huge') defineOwn(parent, key, bad.char.repeat(bad.length));
  else if (bad.kind === 'deep') defineOwn(parent, key, DEEP);
  else {
    const wrapper = {};
    defineOwn(wrapper, '__proto__', original);
    defineOwn(parent, key, wrapper);
  }
}

/** `[[[…]]]` or `{"a":{"a":…}}`, as JSON text. */
function deepText(depth: number, open: '[' | '{"a":'): string {
  return open === '['
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${open.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** How a bad record's body is made from its source's alert. */
type BadBody =
  | { kind: 'field'; source: Source; field: number; bad: BadValue; junk: JunkKey[]; enveloped: boolean }
  | { kind: 'not-json'; source: Source; cut: number; tail: string }
  | { kind: 'json-not-an-alert'; text: string }
  | { kind: 'envelope'; wrong: 'type' | 'message-object' | 'message-not-json' | 'message-missing' };
/** A special key with junk, added where the parser reads nothing (harmless alone). */
type JunkKey = { key: (typeof SPECIAL_KEYS)[number]; value: unknown };

const junkKey: fc.Arbitrary<JunkKey> = fc.record({
  key: fc.constantFrom(...SPECIAL_KEYS),
  value: fc.oneof(
    fc.constantFrom<unknown>(null, 1, 'polluted', { polluted: true, data: { id: 'x' } }, { alertId: 'T-0' }),
    fc.constant({ resource: 'sg-0abcdef0', account: BAD, isAdmin: true }),
  ),
});

const badBody: fc.Arbitrary<BadBody> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      source: fc.constantFrom(...SOURCES),
      field: fc.nat(),
      bad: badValue,
      junk: fc.array(junkKey, { maxLength: 2 }),
      // Inside a good SNS envelope: the document it carries is as bad.
      enveloped: fc.boolean(),
    }),
  },
  fc.record({
    kind: fc.constant('not-json' as const),
    source: fc.constantFrom(...SOURCES),
    cut: fc.nat(),
    // Only characters SQS allows in a body (no NUL, no lone surrogate).
    tail: fc.constantFrom('', '}', ',', 'garbage', '😀', '\u00e9'),
  }),
  fc.record({
    kind: fc.constant('json-not-an-alert' as const),
    text: fc.constantFrom(
      'null',
      '42',
      '"alert"',
      '[]',
      'true',
      '{}',
      '[{"data":{}}]',
      '{"__proto__":{"data":{"id":"x"}}}',
    ),
  }),
  fc.record({
    kind: fc.constant('envelope' as const),
    wrong: fc.constantFrom(
      'type' as const,
      'message-object' as const,
      'message-not-json' as const,
      'message-missing' as const,
    ),
  }),
);

/** The body of a bad record about group `groupId` of the BAD account. */
function badText(spec: BadBody, groupId: string): string {
  if (spec.kind === 'json-not-an-alert') return spec.text;
  if (spec.kind === 'envelope') {
    const envelope: Doc = snsEnvelope(alertOf('evident', BAD, groupId));
    if (spec.wrong === 'type') envelope.Type = 'SubscriptionConfirmation';
    if (spec.wrong === 'message-object') envelope.Message = JSON.parse(envelope.Message);
    if (spec.wrong === 'message-not-json') envelope.Message = envelope.Message.slice(0, -1);
    if (spec.wrong === 'message-missing') delete envelope.Message;
    return JSON.stringify(envelope);
  }
  const doc = alertOf(spec.source, BAD, groupId);
  const text = JSON.stringify(doc);
  if (spec.kind === 'not-json') {
    // A proper prefix of an object's JSON never parses; nor does one with a stray tail.
    const cut = spec.cut % text.length;
    return cut === 0 ? `${text}${spec.tail || 'x'}` : `${text.slice(0, cut)}${spec.tail}`;
  }
  const fields = CHECKED[spec.source];
  const [, place] = fields[spec.field % fields.length] as [string, Place];
  applyBad(doc, place, spec.bad);
  for (const { key, value } of spec.junk) {
    // Beside the alert's own fields, where no parser reads.
    const host =
      spec.source === 'security-hub' ? (doc.detail?.findings?.[0] ?? doc) : (doc.data?.attributes ?? doc);
    if (host !== null && typeof host === 'object') defineOwn(host, key, value);
  }
  const stringified = JSON.stringify(doc);
  const written =
    spec.bad.kind === 'deep'
      ? stringified.replace(JSON.stringify(DEEP), deepText(spec.bad.depth, spec.bad.open))
      : stringified;
  return spec.enveloped ? JSON.stringify({ ...snsEnvelope({}), Message: written }) : written;
}

/** One batch: good records (one per source drawn), bad ones, maybe Prisma Cloud's test message, in a shuffled order. */
interface BatchSpec {
  good: Source[];
  goodJunk: JunkKey[];
  bad: BadBody[];
  testMessage: boolean;
  order: number[];
}
const batchSpec: fc.Arbitrary<BatchSpec> = fc
  .record({
    good: fc.uniqueArray(fc.constantFrom(...SOURCES), { minLength: 1, maxLength: 3 }),
    goodJunk: fc.array(junkKey, { maxLength: 2 }),
    bad: fc.array(badBody, { minLength: 1, maxLength: 6 }),
    testMessage: fc.boolean(),
  })
  .chain((spec) => {
    const size = spec.good.length + spec.bad.length + (spec.testMessage ? 1 : 0);
    return fc
      .shuffledSubarray(
        Array.from({ length: size }, (_, index) => index),
        { minLength: size, maxLength: size },
      )
      .map((order) => ({ ...spec, order }));
  });

/**
 * Malformed alerts of every source (fast-check mutations of the real samples), mixed in batches with good ones
 * through the Lambda handler: docs/alert-format.md promises each bad one a `rejected` record naming the field and
 * no STS call; docs/operations.md, that one bad message never fails the others.
 */
describe('hub handler: malformed records mixed with good ones (property)', () => {
  const hub = useTestHub('fuzz', [GOOD, BAD]);

  it('rejects every bad record with its reason, remediates the good ones beside it, and sends no bad one to STS or EC2', async () => {
    const run: HubRun = await hub.start();
    // One group per good source, its world SSH rule opened again before each batch.
    const goodGroups = new Map<Source, string>();
    for (const source of SOURCES) goodGroups.set(source, await createGroup(GOOD, REGION, [WORLD_SSH]));
    const badGroups = [
      await createGroup(BAD, REGION, [WORLD_SSH]),
      await createGroup(BAD, REGION, [WORLD_SSH]),
    ];
    const goodEc2 = await memberEc2(GOOD, REGION);
    const results: AlertResult[] = [];
    const handler = createLambdaHandler(run.root, { onBatch: (batch) => results.push(...batch.results) });
    let batches = 0;

    await fc.assert(
      fc.asyncProperty(batchSpec, async (spec) => {
        batches++;
        for (const source of spec.good) {
          const groupId = goodGroups.get(source) as string;
          if ((await ingressRules(GOOD, REGION, groupId)).length === 0) {
            await goodEc2.send(
              new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [WORLD_SSH] }),
            );
          }
        }
        const bodies: Array<{
          text: string;
          kind: 'good' | 'bad' | 'test';
          source?: Source;
          spec?: BadBody;
        }> = [];
        for (const source of spec.good) {
          const doc = alertOf(source, GOOD, goodGroups.get(source) as string);
          // Special keys where the parser reads nothing: unknown fields are ignored (docs/alert-format.md).
          const host =
            source === 'security-hub'
              ? doc.detail.findings[0]
              : source === 'evident'
                ? doc.data.attributes
                : doc;
          for (const { key, value } of spec.goodJunk) defineOwn(host, key, value);
          bodies.push({ text: JSON.stringify(doc), kind: 'good', source });
        }
        spec.bad.forEach((bad, index) => {
          bodies.push({
            text: badText(bad, badGroups[index % badGroups.length] as string),
            kind: 'bad',
            spec: bad,
          });
        });
        if (spec.testMessage) bodies.push({ text: JSON.stringify(prismaCloudTestMessage()), kind: 'test' });
        const ordered = spec.order.map((index) => bodies[index] as (typeof bodies)[number]);
        const event = sqsEvent(ordered.map((body) => body.text));
        const kindOf = new Map(event.Records.map((record, index) => [record.messageId, ordered[index]]));
        results.length = 0;
        run.proxy.clear();

        const response = await handler(event, localLambdaContext('fuzz'));

        // Nothing fails the batch, nothing comes back.
        const back = response.batchItemFailures.map(({ itemIdentifier }) => ({
          body: kindOf.get(itemIdentifier)?.spec ?? kindOf.get(itemIdentifier)?.kind,
          results: results.filter((result) => result.messageId === itemIdentifier),
        }));
        expect(JSON.stringify(back).slice(0, 2000)).toBe('[]');
        for (const record of event.Records) {
          const mine = results.filter((result) => result.messageId === record.messageId);
          const body = kindOf.get(record.messageId);
          expect(mine.length, `results of ${body?.kind} record ${record.messageId}`).toBeGreaterThan(0);
          for (const result of mine) {
            const ledgerRecord = await run.root.ledger.get(result.alertId ?? '', result.eventKey ?? '');
            if (body?.kind === 'good') {
              expect(result, JSON.stringify(result)).toMatchObject({
                outcome: 'remediated',
                accountId: GOOD,
              });
              expect(ledgerRecord).toMatchObject({ state: 'completed', outcome: 'remediated' });
            } else if (body?.kind === 'test') {
              // docs/alert-format.md: recorded as ignored (a second one is a counted duplicate of it).
              expect(['ignored', 'duplicate']).toContain(result.outcome);
            } else {
              const context = `${JSON.stringify(body?.spec).slice(0, 300)} → ${JSON.stringify(result).slice(0, 600)}`;
              expect(result.outcome, context).toBe('rejected');
              expect(result.error?.message, context).toMatch(/\S/);
              expect(ledgerRecord, context).toMatchObject({
                outcome: 'rejected',
                reason: expect.stringMatching(/\S/),
                explanation: { reason: { code: expect.any(String) } },
              });
            }
          }
        }
        // STS and EC2 saw only the good records' account and groups.
        const good = new Set(spec.good.map((source) => goodGroups.get(source)));
        for (const request of run.proxy.requests) {
          if (request.service === 'sts') expect(request.params.RoleArn ?? '').toContain(`::${GOOD}:`);
          if (request.service === 'ec2') {
            const groupId = request.params.GroupId ?? request.params['GroupId.1'];
            expect(good.has(groupId), `${request.action} ${groupId}`).toBe(true);
          }
        }
      }),
      { numRuns: 25, seed: 20261202, endOnFailure: true },
    );

    goodEc2.destroy();
    expect(batches).toBe(25);
    // The bad records' groups, open to the world all along, are untouched.
    for (const groupId of badGroups)
      expect(await ingressRules(BAD, REGION, groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
  }, 180_000);
});
