import {
  AWSOrganizationsNotInUseException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { awsClientConfig, type StaticCredentials } from './clients.js';

/** An organisation on the emulator, managed from the hub account (the emulator has no delegated reads). */
export interface LocalOrganization {
  client: OrganizationsClient;
  organizationId: string;
  rootId: string;
  /** `o-.../r-.../`: the root's path, as `aws:ResourceOrgPaths` writes it. */
  rootPath: string;
}

/**
 * The hub account's organisation on the emulator, created if there is none yet (several test files share one
 * emulator, and so one organisation: each makes its own OUs in it). Organizations is called as the management
 * account, the hub account here, because moto answers `ListAccountsForParent` only to it.
 */
export async function ensureOrganization(
  options: { endpoint?: string; credentials?: StaticCredentials } = {},
): Promise<LocalOrganization> {
  const client = new OrganizationsClient(
    awsClientConfig({
      region: 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    }),
  );
  let organizationId: string | undefined;
  try {
    organizationId = (await client.send(new DescribeOrganizationCommand({}))).Organization?.Id;
  } catch (error) {
    if (!(error instanceof AWSOrganizationsNotInUseException)) throw error;
    try {
      organizationId = (await client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization
        ?.Id;
    } catch (raced) {
      // Another test file created it meanwhile.
      if ((raced as Error).name !== 'AlreadyInOrganizationException') throw raced;
      organizationId = (await client.send(new DescribeOrganizationCommand({}))).Organization?.Id;
    }
  }
  const rootId = (await client.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
  if (!organizationId || !rootId) throw new Error('the emulator returned no organisation or root');
  return { client, organizationId, rootId, rootPath: `${organizationId}/${rootId}/` };
}

/** An OU under `parent` (a root or another OU), with its organisation path. */
export async function createOrganizationalUnit(
  organization: LocalOrganization,
  parent: { id: string; path: string },
  name: string,
): Promise<{ id: string; path: string }> {
  const { OrganizationalUnit } = await organization.client.send(
    new CreateOrganizationalUnitCommand({ ParentId: parent.id, Name: name }),
  );
  const id = OrganizationalUnit?.Id;
  if (!id) throw new Error(`CreateOrganizationalUnit ${name} returned no id`);
  return { id, path: `${parent.path}${id}/` };
}

/** New member accounts (CreateAccount puts them in the root), moved into `parentId` when given. */
export async function createMemberAccounts(
  organization: LocalOrganization,
  count: number,
  options: { parentId?: string; namePrefix?: string; concurrency?: number } = {},
): Promise<string[]> {
  const prefix = options.namePrefix ?? 'member';
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const name = `${prefix}-${index}`;
      const { CreateAccountStatus } = await organization.client.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      const accountId = CreateAccountStatus?.AccountId;
      if (!accountId) throw new Error(`CreateAccount ${name} returned no account id`);
      if (options.parentId !== undefined)
        await moveAccount(organization, accountId, organization.rootId, options.parentId);
      ids[index] = accountId;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return ids;
}

export async function moveAccount(
  organization: LocalOrganization,
  accountId: string,
  from: string,
  to: string,
): Promise<void> {
  await organization.client.send(
    new MoveAccountCommand({ AccountId: accountId, SourceParentId: from, DestinationParentId: to }),
  );
}
