import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  awsClientConfig,
  createGroup,
  createMemberAccounts,
  createOrganizationalUnit,
  ensureOrganization,
  eventOf,
  ingressRules,
  type LocalOrganization,
  makeAlert,
  moveAccount,
  publish,
  queueDepth,
  receiveMessages,
  settle,
  uniqueName,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountRegistryAdmin } from '../../src/adapters/AccountRegistryAdmin.js';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, type HubRun, requestsOf, useTestHub } from '../support/testHub.js';

/**
 * Accounts by OU and from the registry, on the emulator's Organizations API (called as the management account, the
 * hub account here) and a real registry table. The OUs are this file's own in the emulator's one organisation; its
 * accounts are created there (CreateAccount), so their ids are the emulator's.
 */
describe('accounts at scale: OUs, the registry and failing closed', () => {
  let organization: LocalOrganization;
  let allowedOu: { id: string; path: string };
  let dryRunOu: { id: string; path: string };
  let elsewhereOu: { id: string; path: string };
  const accounts = { inOu: '', inDryRunOu: '', elsewhere: '', moved: '', denied: '' };

  const hub = useTestHub(
    'accounts',
    async () => {
      organization = await ensureOrganization();
      allowedOu = await createOrganizationalUnit(
        organization,
        { id: organization.rootId, path: organization.rootPath },
        uniqueName('allowed'),
      );
      // A child of the allowed unit, kept in dry-run: dry-run units narrow the allowed ones.
      dryRunOu = await createOrganizationalUnit(organization, allowedOu, uniqueName('onboarding'));
      elsewhereOu = await createOrganizationalUnit(
        organization,
        { id: organization.rootId, path: organization.rootPath },
        uniqueName('elsewhere'),
      );
      const inOu = await createMemberAccounts(organization, 3, {
        parentId: allowedOu.id,
        namePrefix: uniqueName('in-ou'),
      });
      accounts.inOu = inOu[0] ?? '';
      accounts.moved = inOu[1] ?? '';
      accounts.denied = inOu[2] ?? '';
      accounts.inDryRunOu = (await createMemberAccounts(organization, 1, { parentId: dryRunOu.id }))[0] ?? '';
      accounts.elsewhere =
        (await createMemberAccounts(organization, 1, { parentId: elsewhereOu.id }))[0] ?? '';
      return Object.values(accounts);
    },
    { accountRegistry: true },
  );

  let documents: DynamoDBDocumentClient;
  let registry: AccountRegistryAdmin;
  beforeAll(() => {
    documents = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig()));
    registry = new AccountRegistryAdmin({
      client: documents,
      tableName: hub.up.env.ACCOUNT_REGISTRY_TABLE ?? '',
    });
  });
  afterAll(() => {
    documents.destroy();
    organization.client.destroy();
  });

  /** The hub told about the allowed OU (by its organisation path) and its dry-run child, no allow-list. */
  const startByOu = (env: Record<string, string> = {}) =>
    hub.start({
      ALLOWED_ACCOUNTS: '',
      ALLOWED_OUS: allowedOu.path,
      DRY_RUN_OUS: dryRunOu.id,
      ACCOUNTS_CACHE_SECONDS: '60',
      ...env,
    });
  const publishAlert = async (accountId: string, groupId = 'sg-0123456789abcdef0') => {
    const doc = makeAlert({ id: uniqueName('alert'), accountId, region: 'us-east-1', groupId });
    await publish(hub.sns, hub.up.topic.arn, doc);
    return doc.data.id;
  };
  const assumedAccounts = (run: HubRun) =>
    requestsOf(run, 'AssumeRole').map((r) => r.params.RoleArn?.split(':')[4]);
  /** One delivery of `count` messages to the handler, as the event source mapping makes it, then settled. */
  const deliverOnce = async (run: HubRun, count: number) => {
    const messages = await receiveMessages(hub.sqs, hub.up.queue.url, count);
    const result = await run.root.processBatch(eventOf(messages), uniqueName('worker'));
    await settle(hub.sqs, hub.up.queue.url, messages, result.batchItemFailures);
    return result;
  };
  const organizationsCalls = (run: HubRun) => run.proxy.requests.filter((r) => r.service === 'organizations');

  it('allows the accounts under an OU (child OUs included), in dry-run under a dry-run OU, and rejects the others before STS', async () => {
    const groups = {
      inOu: await createGroup(accounts.inOu, 'us-east-1', [WORLD_SSH]),
      inDryRunOu: await createGroup(accounts.inDryRunOu, 'us-east-1', [WORLD_SSH]),
    };
    const ids = {
      inOu: await publishAlert(accounts.inOu, groups.inOu),
      inDryRunOu: await publishAlert(accounts.inDryRunOu, groups.inDryRunOu),
      elsewhere: await publishAlert(accounts.elsewhere),
    };
    const run = await startByOu();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 1, 'dry-run': 1, rejected: 1 });
    expect(await run.root.ledger.get(ids.elsewhere, 'fail')).toMatchObject({
      outcome: 'rejected',
      explanation: { reason: { code: 'account-not-allowed', accountId: accounts.elsewhere } },
    });
    expect(await ingressRules(accounts.inOu, 'us-east-1', groups.inOu)).toEqual([]);
    expect(await ingressRules(accounts.inDryRunOu, 'us-east-1', groups.inDryRunOu)).toEqual([
      'tcp 22-22 0.0.0.0/0',
    ]);
    expect(assumedAccounts(run).sort()).toEqual([accounts.inOu, accounts.inDryRunOu].sort());
    // One walk for the three alerts: the units listed once each, never a call per alert.
    const walk = organizationsCalls(run)
      .map((r) => r.action)
      .sort();
    expect(walk).toEqual([
      // The OU paths name the organisation: the walk checks that it reads that one.
      'DescribeOrganization',
      'ListAccountsForParent',
      'ListAccountsForParent',
      'ListOrganizationalUnitsForParent',
      'ListOrganizationalUnitsForParent',
    ]);
  });

  it('rejects an account moved out of the OU once the membership it read has passed its TTL, not before', async () => {
    const run = await startByOu();
    const first = await publishAlert(accounts.moved);
    await consumeOnce(run, hub.sqs, hub.up.queue.url);
    // resource-gone: the alert names no real group; the account was allowed, so the hub looked.
    expect((await run.root.ledger.get(first, 'fail'))?.outcome).toBe('resource-gone');

    await moveAccount(organization, accounts.moved, allowedOu.id, elsewhereOu.id);
    try {
      const withinTtl = await publishAlert(accounts.moved);
      run.clock.advanceSeconds(30);
      await consumeOnce(run, hub.sqs, hub.up.queue.url);
      expect((await run.root.ledger.get(withinTtl, 'fail'))?.outcome).toBe('resource-gone');

      run.clock.advanceSeconds(31);
      run.proxy.clear();
      const afterTtl = await publishAlert(accounts.moved);
      await consumeOnce(run, hub.sqs, hub.up.queue.url);
      expect(await run.root.ledger.get(afterTtl, 'fail')).toMatchObject({
        outcome: 'rejected',
        explanation: { reason: { code: 'account-not-allowed' } },
      });
      expect(organizationsCalls(run).length).toBeGreaterThan(0);
      expect(requestsOf(run, 'AssumeRole')).toEqual([]);
    } finally {
      await moveAccount(organization, accounts.moved, elsewhereOu.id, allowedOu.id);
    }
  });

  it('rejects an account the registry denies, under an allowed OU, before any STS or Organizations call', async () => {
    await registry.apply({
      accountId: accounts.denied,
      action: 'deny',
      actor: 'test',
      command: 'accounts deny',
      note: 'being decommissioned',
      now: new Date(),
      id: 'x1',
    });
    const id = await publishAlert(accounts.denied);
    const run = await startByOu();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ rejected: 1 });
    expect(await run.root.ledger.get(id, 'fail')).toMatchObject({
      outcome: 'rejected',
      accountId: accounts.denied,
    });
    expect(requestsOf(run, 'AssumeRole')).toEqual([]);
    expect(organizationsCalls(run)).toEqual([]);
    expect(requestsOf(run, 'Query').map((r) => JSON.parse(r.body).IndexName)).toEqual(['current']);
  });

  it('lets the registry allow an account outside every OU, and set its mode', async () => {
    await registry.apply({
      accountId: accounts.elsewhere,
      action: 'dry-run',
      actor: 'test',
      command: 'accounts dry-run',
      now: new Date(),
      id: 'x2',
    });
    try {
      const groupId = await createGroup(accounts.elsewhere, 'us-east-1', [WORLD_SSH]);
      await publishAlert(accounts.elsewhere, groupId);
      const run = await startByOu();
      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);
      expect(countOutcomes(results)).toEqual({ 'dry-run': 1 });
      expect(organizationsCalls(run)).toEqual([]);
    } finally {
      await registry.apply({
        accountId: accounts.elsewhere,
        action: 'forget',
        actor: 'test',
        command: 'accounts forget',
        now: new Date(),
        id: 'x3',
      });
    }
  });

  it('retries, with no STS call, while the registry cannot be read; acts once it can', async () => {
    const groupId = await createGroup(accounts.inOu, 'us-east-1', [WORLD_SSH]);
    const id = await publishAlert(accounts.inOu, groupId);
    const run = await startByOu();
    run.proxy.failNext({ service: 'dynamodb', action: 'Query' }, 'reset');
    const down = await deliverOnce(run, 1);

    expect(countOutcomes(down.results)).toEqual({ retry: 1 });
    expect(down.results[0]?.error).toMatchObject({
      name: 'AccountDirectoryUnavailableError',
      retryable: true,
    });
    expect(down.batchItemFailures).toHaveLength(1);
    expect(requestsOf(run, 'AssumeRole')).toEqual([]);
    expect(run.proxy.requests.filter((r) => r.service === 'ec2')).toEqual([]);
    expect(await run.root.ledger.get(id, 'fail')).toBeUndefined();
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toMatchObject({ visible: 1 });

    const up = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(countOutcomes(up.results)).toEqual({ remediated: 1 });
    expect(await ingressRules(accounts.inOu, 'us-east-1', groupId)).toEqual([]);
  });

  it('retries, with no STS call, while Organizations cannot be read; acts once it can', async () => {
    const groupId = await createGroup(accounts.inOu, 'us-east-1', [WORLD_SSH]);
    await publishAlert(accounts.inOu, groupId);
    await publishAlert(accounts.elsewhere);
    const run = await startByOu();
    // Past the TTL of the membership the earlier tests' walks shared in the registry table: this run must walk.
    run.clock.advanceSeconds(120);
    run.proxy.failNext({ service: 'organizations' }, { status: 503, body: '' });
    const down = await deliverOnce(run, 2);
    // Both alerts waited on one walk, which failed at its first call.
    expect(organizationsCalls(run)).toHaveLength(1);

    // Neither allowed nor rejected: the account outside the OU is not rejected for an outage either.
    expect(countOutcomes(down.results)).toEqual({ retry: 2 });
    expect(down.batchItemFailures).toHaveLength(2);
    expect(down.results.map((r) => r.error?.name)).toEqual([
      'AccountDirectoryUnavailableError',
      'AccountDirectoryUnavailableError',
    ]);
    expect(requestsOf(run, 'AssumeRole')).toEqual([]);
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toMatchObject({ visible: 2 });

    const up = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(countOutcomes(up.results)).toEqual({ remediated: 1, rejected: 1 });
    expect(assumedAccounts(run)).toEqual([accounts.inOu]);
  });
});
