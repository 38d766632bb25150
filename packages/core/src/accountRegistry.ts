import type { RegistryStanding } from './accountStanding.js';

/**
 * The account registry's table: its own table, not the ledger's (docs/deployment.md says why). One item per
 * account holds its current standing (`entry` = `standing`); every change adds an audit item beside it
 * (`entry` = `audit#<ISO time>#<id>`), so one Query by account gives the entry and its history. The sparse index
 * `current` holds the current items alone (only they carry `registry`): the hub reads the whole registry with one
 * paginated Query of it, never a table scan.
 */
export const ACCOUNT_REGISTRY_TABLE = {
  partitionKey: { name: 'accountId', type: 'S' },
  sortKey: { name: 'entry', type: 'S' },
  currentEntry: 'standing',
  auditPrefix: 'audit#',
  currentIndex: {
    indexName: 'current',
    partitionKey: { name: 'registry', type: 'S' },
    sortKey: { name: 'accountId', type: 'S' },
    /** The value of `registry` on every current item. */
    value: 'accounts',
  },
  /**
   * The OU membership the hub last read from Organizations, shared by every Lambda container so that the whole hub
   * walks the OUs once per TTL: partition `#organizations` (never an account id, so never an entry, and outside
   * the `current` index), sort key `membership#<hash of the OUs it was read for>`. The hub function may write this
   * partition alone (IAM `dynamodb:LeadingKeys`).
   */
  membership: { partitionKey: '#organizations', sortKeyPrefix: 'membership#' },
} as const;

/** An account's current registry entry. */
export interface RegistryEntry {
  accountId: string;
  standing: RegistryStanding;
  /** Why, as the operator said it (`--note`). */
  note: string | undefined;
  /** ISO-8601 time of the last change. */
  updatedAt: string;
  /** Who made the last change (the caller's ARN from STS, or the OS user). */
  updatedBy: string;
  /** Counts changes: every write is conditioned on the version it read, so two operators cannot lose a change. */
  version: number;
}

/** What the operator asked: set a standing, or forget the account (no entry: the deployment decides). */
export type RegistryAction = RegistryStanding | 'forget';

/** One change of the registry, as its audit item records it. */
export interface RegistryAuditEvent {
  accountId: string;
  /** `audit#<at>#<id>`. */
  entry: string;
  at: string;
  actor: string;
  action: RegistryAction;
  /** The standing before the change (`null`: no entry). */
  before: RegistryStanding | null;
  /** The standing after it (`null`: the entry was removed). */
  after: RegistryStanding | null;
  note: string | undefined;
  /** The command that made it, e.g. `accounts deny` or `accounts sync --from-env`. */
  command: string;
}

export interface RegistryChangeRequest {
  accountId: string;
  action: RegistryAction;
  actor: string;
  note?: string | undefined;
  command: string;
  now: Date;
  /** A suffix that keeps two audit items of the same millisecond apart. */
  id: string;
}

/**
 * The writes of one registry change, or `undefined` when it changes nothing (the same standing again; forgetting
 * an account without an entry): the entry after the change (`undefined` when forgotten) and the audit event.
 */
export function registryChange(
  current: RegistryEntry | undefined,
  request: RegistryChangeRequest,
): { entry: RegistryEntry | undefined; audit: RegistryAuditEvent } | undefined {
  const before = current?.standing ?? null;
  const after = request.action === 'forget' ? null : request.action;
  if (before === after && (request.note === undefined || request.note === current?.note)) return undefined;
  const at = request.now.toISOString();
  const entry: RegistryEntry | undefined =
    after === null
      ? undefined
      : {
          accountId: request.accountId,
          standing: after,
          note: request.note ?? (before === after ? current?.note : undefined),
          updatedAt: at,
          updatedBy: request.actor,
          version: (current?.version ?? 0) + 1,
        };
  return {
    entry,
    audit: {
      accountId: request.accountId,
      entry: `${ACCOUNT_REGISTRY_TABLE.auditPrefix}${at}#${request.id}`,
      at,
      actor: request.actor,
      action: request.action,
      before,
      after,
      note: request.note,
      command: request.command,
    },
  };
}

/**
 * The changes that make the registry hold `wanted` (a source's accounts and standings: the environment lists, an
 * OU's accounts), for `accounts sync`. An account the registry denies keeps its `deny`: a sync never lifts an
 * explicit deny. Accounts the registry holds and `wanted` does not name are left as they are.
 */
export function syncChanges(
  current: ReadonlyMap<string, RegistryEntry>,
  wanted: ReadonlyMap<string, RegistryStanding>,
): Array<{ accountId: string; before: RegistryStanding | null; after: RegistryStanding }> {
  const changes: Array<{ accountId: string; before: RegistryStanding | null; after: RegistryStanding }> = [];
  for (const [accountId, after] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const before = current.get(accountId)?.standing ?? null;
    if (before === 'deny' || before === after) continue;
    changes.push({ accountId, before, after });
  }
  return changes;
}
