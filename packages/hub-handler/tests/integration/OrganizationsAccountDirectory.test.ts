import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  awsClientConfig,
  createAccountRegistryTable,
  createMemberAccounts,
  createOrganizationalUnit,
  ensureOrganization,
  type LocalOrganization,
  type RecordingProxy,
  startRecordingProxy,
  testClock,
  uniqueName,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMembershipStore } from '../../src/adapters/DynamoDbMembershipStore.js';
import { OrganizationsAccountDirectory } from '../../src/adapters/OrganizationsAccountDirectory.js';

describe('OrganizationsAccountDirectory against the emulator', () => {
  let organization: LocalOrganization;
  let parent: { id: string; path: string };
  let child: { id: string; path: string };
  let inParent: string[];
  let inChild: string[];
  let proxy: RecordingProxy;
  let client: OrganizationsClient;

  beforeAll(async () => {
    organization = await ensureOrganization();
    parent = await createOrganizationalUnit(
      organization,
      { id: organization.rootId, path: organization.rootPath },
      uniqueName('big'),
    );
    child = await createOrganizationalUnit(organization, parent, uniqueName('child'));
    // More than two pages of 20: the walk must follow NextToken.
    inParent = await createMemberAccounts(organization, 45, {
      parentId: parent.id,
      namePrefix: uniqueName('p'),
    });
    inChild = await createMemberAccounts(organization, 3, {
      parentId: child.id,
      namePrefix: uniqueName('c'),
    });
    proxy = await startRecordingProxy();
    client = new OrganizationsClient({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    organization.client.destroy();
    await proxy.close();
  });

  it('walks every page and every child unit once, however many ask at once', async () => {
    proxy.clear();
    const directory = new OrganizationsAccountDirectory({
      client,
      allowedUnits: [{ id: parent.id, organizationId: undefined, path: undefined }],
      dryRunUnits: [{ id: child.id, organizationId: undefined, path: undefined }],
      ttlSeconds: 60,
      clock: testClock(),
    });
    const answers = await Promise.all([...inParent, ...inChild].map((id) => directory.membership(id)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(48);
    expect(answers.filter((a) => a.dryRun)).toHaveLength(3);
    expect(await directory.membership('000000000000')).toEqual({
      allowed: false,
      dryRun: false,
    });
    const snapshot = await directory.snapshot();
    expect(snapshot).toMatchObject({ units: 2, calls: proxy.requests.length });
    const actions = proxy.requests.map((r) => r.action);
    // 45 accounts in pages of 20: three pages for the parent, one for the child, one unit listing each.
    expect(actions.filter((a) => a === 'ListAccountsForParent')).toHaveLength(4);
    expect(actions.filter((a) => a === 'ListOrganizationalUnitsForParent')).toHaveLength(2);
    expect(directory.walks).toBe(1);
  });

  it('fails closed, retryable, on a unit that does not exist and on another organisation', async () => {
    const missing = new OrganizationsAccountDirectory({
      client,
      allowedUnits: [{ id: 'ou-zzzz-zzzzzzzz', organizationId: undefined, path: undefined }],
      ttlSeconds: 60,
    });
    await expect(missing.membership(inParent[0] ?? '')).rejects.toMatchObject({
      name: 'AccountDirectoryUnavailableError',
      retryable: true,
      source: 'organizations',
      message: expect.stringMatching(/ParentNotFoundException/),
    });
    const other = new OrganizationsAccountDirectory({
      client,
      allowedUnits: [{ id: parent.id, organizationId: undefined, path: undefined }],
      organizationId: 'o-0000000000',
      ttlSeconds: 60,
    });
    await expect(other.membership(inParent[0] ?? '')).rejects.toThrow(
      `the hub reads organisation ${organization.organizationId}, but ORGANIZATION_ID is o-0000000000`,
    );
  });
});

describe('OrganizationsAccountDirectory: one walk per TTL for every container, shared in the registry table', () => {
  let organization: LocalOrganization;
  let unit: { id: string; path: string };
  let members: string[];
  let proxy: RecordingProxy;
  let client: OrganizationsClient;
  let documents: DynamoDBDocumentClient;
  const tableName = uniqueName('shared-membership');

  beforeAll(async () => {
    organization = await ensureOrganization();
    unit = await createOrganizationalUnit(
      organization,
      { id: organization.rootId, path: organization.rootPath },
      uniqueName('shared'),
    );
    members = await createMemberAccounts(organization, 4, { parentId: unit.id });
    proxy = await startRecordingProxy();
    client = new OrganizationsClient({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    const dynamodb = new DynamoDBClient(awsClientConfig());
    await createAccountRegistryTable(dynamodb, tableName);
    documents = DynamoDBDocumentClient.from(dynamodb);
  });
  afterAll(async () => {
    client.destroy();
    documents.destroy();
    organization.client.destroy();
    await proxy.close();
  });

  const container = (clock: ReturnType<typeof testClock>, sleep?: (ms: number) => Promise<void>) =>
    new OrganizationsAccountDirectory({
      client,
      allowedUnits: [{ id: unit.id, organizationId: undefined, path: undefined }],
      ttlSeconds: 60,
      clock,
      store: new DynamoDbMembershipStore({
        client: documents,
        tableName,
        units: {
          allowed: [{ id: unit.id, organizationId: undefined, path: undefined }],
          dryRun: [],
          organizationId: undefined,
        },
      }),
      ...(sleep ? { sleep } : {}),
    });
  const walkCalls = () => proxy.requests.filter((r) => r.service === 'organizations').length;

  it('walks in the first container only; the next reads the shared membership; past the TTL one walks again', async () => {
    const clock = testClock();
    proxy.clear();
    const first = container(clock);
    expect(await first.membership(members[0] ?? '')).toEqual({ allowed: true, dryRun: false });
    const calls = walkCalls();
    expect(calls).toBe(2);

    const second = container(clock);
    const snapshot = await second.snapshot();
    expect(snapshot).toMatchObject({ source: 'shared', calls: 2 });
    expect([...snapshot.allowed].sort()).toEqual([...members].sort());
    expect(walkCalls()).toBe(calls);
    expect(second.walks).toBe(0);

    clock.advanceSeconds(61);
    const third = container(clock);
    expect((await third.snapshot()).source).toBe('walk');
    expect(walkCalls()).toBe(calls * 2);
  });

  it('waits for the walk another container claimed instead of walking too', async () => {
    const clock = testClock();
    clock.advanceSeconds(3600);
    proxy.clear();
    const store = new DynamoDbMembershipStore({
      client: documents,
      tableName,
      units: {
        allowed: [{ id: unit.id, organizationId: undefined, path: undefined }],
        dryRun: [],
        organizationId: undefined,
      },
    });
    // Another container holds the claim, and nothing shared is within the TTL: this one waits, then reads.
    expect(await store.claimWalk('other', clock.now(), new Date(clock.now().getTime() + 120_000))).toBe(true);
    let waited = 0;
    const waiting = container(clock, async () => {
      waited++;
      if (waited === 2)
        await store.write({ allowed: ['999999999999'], dryRun: [], readAt: clock.now(), units: 1, calls: 7 });
    });
    const snapshot = await waiting.snapshot();
    expect(snapshot).toMatchObject({ source: 'shared', calls: 7 });
    expect([...snapshot.allowed]).toEqual(['999999999999']);
    expect(waited).toBe(2);
    expect(walkCalls()).toBe(0);
  });

  it('ends its claim when its walk fails, so the next try walks at once instead of waiting it out', async () => {
    const clock = testClock();
    clock.advanceSeconds(7200);
    proxy.clear();
    let waited = 0;
    const directory = container(clock, async () => {
      waited++;
    });
    proxy.failNext({ service: 'organizations' }, { status: 400, body: '' });
    await expect(directory.snapshot()).rejects.toThrow();
    const failedCalls = walkCalls();
    expect(failedCalls).toBeGreaterThan(0);
    // Another container claims at once: the failed walk's claim is gone.
    const other = container(clock, async () => {
      waited++;
    });
    expect((await other.snapshot()).source).toBe('walk');
    expect(waited).toBe(0);
    expect(walkCalls()).toBeGreaterThan(failedCalls);
  });
});
