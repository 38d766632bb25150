import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountDirectory, Clock, HubConfig } from '@remediation-hub/core';
import { CompositeAccountDirectory } from './adapters/CompositeAccountDirectory.js';
import { DynamoDbAccountRegistry } from './adapters/DynamoDbAccountRegistry.js';
import { DynamoDbMembershipStore } from './adapters/DynamoDbMembershipStore.js';
import { EnvironmentAccountDirectory } from './adapters/EnvironmentAccountDirectory.js';
import { OrganizationsAccountDirectory } from './adapters/OrganizationsAccountDirectory.js';
import type { Logger } from './logging/createLogger.js';

/** Organizations is a global service: its endpoint lives in one region of each partition. */
const ORGANIZATIONS_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-northwest-1',
  'aws-us-gov': 'us-gov-west-1',
};

export interface AccountSources {
  /** What the hub asks (processAlert, before anything else). */
  directory: AccountDirectory;
  /** The registry reader, when the deployment has one. */
  registry: DynamoDbAccountRegistry | undefined;
  /** The OUs reader, when the deployment names OUs. */
  organizations: OrganizationsAccountDirectory | undefined;
  /** Closes the Organizations client. */
  destroy(): void;
}

/**
 * The account directory the configuration asks for: the environment lists alone for a small setup (nothing to
 * read, never unsure), or the composite of the registry (`ACCOUNT_REGISTRY_TABLE`), the OUs (`ALLOWED_OUS`) and
 * the environment lists, by core's precedence rule.
 */
export function accountSourcesFor(
  config: HubConfig,
  deps: {
    documentClient: DynamoDBDocumentClient;
    clock: Clock;
    logger: Logger;
    /** Client settings shared with the hub's other clients (endpoint, credentials, retries). */
    clientConfig: Record<string, unknown>;
  },
): AccountSources {
  const environment = { allowedAccounts: config.allowedAccounts, dryRunAccounts: config.dryRunAccounts };
  const registry =
    config.accountRegistryTable === undefined
      ? undefined
      : new DynamoDbAccountRegistry({
          client: deps.documentClient,
          tableName: config.accountRegistryTable,
          ttlSeconds: config.registryCacheSeconds,
          clock: deps.clock,
          logger: deps.logger,
        });
  let client: OrganizationsClient | undefined;
  let organizations: OrganizationsAccountDirectory | undefined;
  if (config.allowedOus.length > 0) {
    client = new OrganizationsClient({
      ...deps.clientConfig,
      region: ORGANIZATIONS_REGION[config.partition] ?? 'us-east-1',
    });
    organizations = new OrganizationsAccountDirectory({
      client,
      allowedUnits: config.allowedOus,
      dryRunUnits: config.dryRunOus,
      organizationId: config.organizationId,
      ttlSeconds: config.accountsCacheSeconds,
      // With a registry table, the containers share one walk per TTL there.
      store:
        config.accountRegistryTable === undefined
          ? undefined
          : new DynamoDbMembershipStore({
              client: deps.documentClient,
              tableName: config.accountRegistryTable,
              units: {
                allowed: config.allowedOus,
                dryRun: config.dryRunOus,
                organizationId: config.organizationId,
              },
            }),
      clock: deps.clock,
      logger: deps.logger,
    });
  }
  const directory =
    registry === undefined && organizations === undefined
      ? new EnvironmentAccountDirectory(environment)
      : new CompositeAccountDirectory({ registry, organizations, environment });
  return { directory, registry, organizations, destroy: () => client?.destroy() };
}
