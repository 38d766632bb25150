import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  awsClientConfig,
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
