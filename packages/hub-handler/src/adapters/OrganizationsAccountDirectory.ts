import { randomUUID } from 'node:crypto';
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AccountDirectoryUnavailableError,
  type Clock,
  type OrganizationalUnitRef,
  type OrganizationsMembership,
} from '@remediation-hub/core';
import type { Logger } from '../logging/createLogger.js';
import { systemClock } from '../systemClock.js';
import type { MembershipStore } from './DynamoDbMembershipStore.js';
import { mapAwsError } from './mapAwsError.js';
import { RefreshingCache } from './RefreshingCache.js';
import { type RateLimiter, TokenBucketLimiter } from './TokenBucketLimiter.js';

/**
 * Organizations publishes no rate per API; it throttles per account (`TooManyRequestsException`) at a few parallel
 * calls. The walk makes at most this many calls at once, and at most `ORGANIZATIONS_RATE` per second.
 */
export const ORGANIZATIONS_CONCURRENCY = 2;
export const ORGANIZATIONS_RATE = { capacity: 10, refillPerSecond: 10 } as const;

export interface OrganizationsAccountDirectoryOptions {
  /** The hub's own Organizations client: the hub account is a delegated administrator (docs/deployment.md). */
  client: OrganizationsClient;
  /** `ALLOWED_OUS`. */
  allowedUnits: readonly OrganizationalUnitRef[];
  /** `DRY_RUN_OUS`. */
  dryRunUnits?: readonly OrganizationalUnitRef[];
  /** `ORGANIZATION_ID`: the walk refuses to read another organisation's units. */
  organizationId?: string | undefined;
  /** `ACCOUNTS_CACHE_SECONDS`. */
  ttlSeconds: number;
  clock?: Clock;
  limiter?: RateLimiter;
  logger?: Logger;
  /**
   * Where Lambda containers share the membership (the account registry table): a container reads what another
   * walked within the TTL, and only the one that claims the next walk makes it. Without it, each container walks.
   */
  store?: MembershipStore | undefined;
  /** How long a claim on the next walk holds (default 120 s): a worker that died mid-walk blocks no longer. */
  walkClaimSeconds?: number;
  /** How long to wait for another worker's walk when nothing shared is within the TTL (default 60 s). */
  waitForWalkSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Of the TTL, the share after which a shared membership is walked again (the cache refreshes ahead at the same). */
const REFRESH_AHEAD = 0.75;

/** What one walk of the configured units found. */
export interface OrganizationsSnapshot {
  /** Every account under an allowed unit (child units included). */
  allowed: ReadonlySet<string>;
  /** Every account under a dry-run unit. */
  dryRun: ReadonlySet<string>;
  /** The units walked (the configured ones and every unit below them). */
  units: number;
  /** Organizations calls the walk made (pages included). */
  calls: number;
  durationMs: number;
  /** When the walk started. */
  readAt: Date;
  /** `walk`: this worker walked; `shared`: another worker did, and this one read its result. */
  source: 'walk' | 'shared';
}

/**
 * Which accounts sit under the OUs the hub was told about, from AWS Organizations: one top-down walk of each
 * configured unit (`ListOrganizationalUnitsForParent` and `ListAccountsForParent`, every page, 20 per page),
 * cached for `ACCOUNTS_CACHE_SECONDS` with one walk in flight at a time and a refresh ahead of expiry. A unit
 * under two configured units is walked once. The walk is paced (2 calls at a time, 10 per second); a 5,000-account
 * organisation costs about 300 calls per TTL per Lambda container, never one call per alert.
 *
 * Fails closed: when the walk fails (throttled past the SDK's retries, access denied, a configured unit not found,
 * another organisation than `ORGANIZATION_ID`) and no walk within the TTL is held, `membership` throws a retryable
 * `AccountDirectoryUnavailableError`.
 */
export class OrganizationsAccountDirectory {
  readonly #client: OrganizationsClient;
  readonly #allowed: readonly OrganizationalUnitRef[];
  readonly #dryRun: readonly OrganizationalUnitRef[];
  readonly #organizationId: string | undefined;
  readonly #limiter: RateLimiter;
  readonly #logger: Logger | undefined;
  readonly #cache: RefreshingCache<OrganizationsSnapshot>;
  readonly #clock: Clock;
  readonly #store: MembershipStore | undefined;
  readonly #owner = randomUUID();
  readonly #ttlMs: number;
  readonly #walkClaimMs: number;
  readonly #waitForWalkMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #walks = 0;

  constructor(options: OrganizationsAccountDirectoryOptions) {
    this.#client = options.client;
    this.#allowed = options.allowedUnits;
    this.#dryRun = options.dryRunUnits ?? [];
    this.#organizationId = options.organizationId;
    this.#limiter = options.limiter ?? new TokenBucketLimiter(ORGANIZATIONS_RATE);
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#store = options.store;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#walkClaimMs = (options.walkClaimSeconds ?? 120) * 1000;
    this.#waitForWalkMs = (options.waitForWalkSeconds ?? 60) * 1000;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#cache = new RefreshingCache({
      load: () => this.#load(),
      ttlSeconds: options.ttlSeconds,
      refreshAheadAt: REFRESH_AHEAD,
      readAtOf: (snapshot) => snapshot.readAt,
      clock: this.#clock,
      onBackgroundError: (error) =>
        this.#logger?.warn(
          { err: error },
          'organizations: refreshing the OU membership failed, retrying later',
        ),
    });
  }

  /** Where the account sits among the configured units. */
  async membership(accountId: string): Promise<OrganizationsMembership> {
    const snapshot = await this.snapshot();
    return { allowed: snapshot.allowed.has(accountId), dryRun: snapshot.dryRun.has(accountId) };
  }

  /** The membership of every account under the configured units (walked now if none is held within the TTL). */
  async snapshot(): Promise<OrganizationsSnapshot> {
    try {
      return await this.#cache.get();
    } catch (error) {
      if (error instanceof AccountDirectoryUnavailableError) throw error;
      throw new AccountDirectoryUnavailableError(
        `cannot read the organisation's units: ${error instanceof Error ? error.message : String(error)}`,
        { source: 'organizations', cause: error },
      );
    }
  }

  /** Whether any dry-run unit is configured: without one, the OUs never put an account in dry-run. */
  get hasDryRunUnits(): boolean {
    return this.#dryRun.length > 0;
  }

  /** Walks made so far (the first and every refresh). */
  get walks(): number {
    return this.#walks;
  }

  /**
   * The membership: the shared one when another worker walked within the refresh-ahead share of the TTL; else this
   * worker walks if it claims the walk (and shares the result); else, while another worker walks, the shared one
   * if it is still within the TTL, or, with nothing usable, what that walk stores (waiting for it, then walking
   * itself if it never comes).
   */
  async #load(): Promise<OrganizationsSnapshot> {
    const store = this.#store;
    if (store === undefined) return this.#walk();
    const fresh = (stored: Awaited<ReturnType<MembershipStore['read']>>, share: number) =>
      stored !== undefined && this.#clock.now().getTime() - stored.readAt.getTime() < this.#ttlMs * share;
    let stored: Awaited<ReturnType<MembershipStore['read']>>;
    try {
      stored = await store.read();
    } catch (error) {
      this.#logger?.warn({ err: error }, 'organizations: the shared OU membership cannot be read, walking');
      return this.#walk();
    }
    if (stored !== undefined && fresh(stored, REFRESH_AHEAD)) return shared(stored);
    const now = this.#clock.now();
    let claimed: boolean;
    try {
      claimed = await store.claimWalk(this.#owner, now, new Date(now.getTime() + this.#walkClaimMs));
    } catch (error) {
      this.#logger?.warn({ err: error }, 'organizations: cannot claim the next walk, walking');
      claimed = true;
    }
    if (claimed) {
      const snapshot = await this.#walk().catch(async (error: unknown) => {
        // The others (and this worker's next try) walk at once instead of waiting out the claim.
        await store.releaseWalk(this.#owner).catch(() => undefined);
        throw error;
      });
      try {
        await store.write({
          allowed: [...snapshot.allowed],
          dryRun: [...snapshot.dryRun],
          readAt: snapshot.readAt,
          units: snapshot.units,
          calls: snapshot.calls,
        });
      } catch (error) {
        this.#logger?.warn({ err: error }, 'organizations: the OU membership could not be shared');
      }
      return snapshot;
    }
    if (stored !== undefined && fresh(stored, 1)) return shared(stored);
    const deadline = this.#clock.now().getTime() + this.#waitForWalkMs;
    while (this.#clock.now().getTime() < deadline) {
      await this.#sleep(1000);
      const next = await store.read().catch(() => undefined);
      if (next !== undefined && fresh(next, REFRESH_AHEAD)) return shared(next);
    }
    this.#logger?.warn('organizations: the walk another worker claimed did not come, walking');
    return this.#walk();
  }

  async #walk(): Promise<OrganizationsSnapshot> {
    this.#walks++;
    const readAt = this.#clock.now();
    const startedAt = this.#clock.now().getTime();
    const counter = { calls: 0 };
    const gate = new Gate(ORGANIZATIONS_CONCURRENCY);
    const call = async <T>(action: string, send: () => Promise<T>): Promise<T> => {
      return gate.run(async () => {
        await this.#limiter.acquire('organizations');
        counter.calls++;
        try {
          return await send();
        } catch (error) {
          throw mapAwsError(error, `organizations:${action}`, {});
        }
      });
    };
    if (this.#organizationId !== undefined) {
      const { Organization } = await call('DescribeOrganization', () =>
        this.#client.send(new DescribeOrganizationCommand({})),
      );
      if (Organization?.Id !== this.#organizationId) {
        throw new AccountDirectoryUnavailableError(
          `the hub reads organisation ${Organization?.Id ?? '(none)'}, but ORGANIZATION_ID is ${this.#organizationId}`,
          { source: 'organizations' },
        );
      }
    }
    const walked = new Map<string, Promise<string[]>>();
    const accountsUnder = (unitId: string): Promise<string[]> => {
      let pending = walked.get(unitId);
      if (pending === undefined) {
        pending = this.#accountsUnder(unitId, call, accountsUnder);
        walked.set(unitId, pending);
      }
      return pending;
    };
    const collect = async (units: readonly OrganizationalUnitRef[]) =>
      new Set((await Promise.all(units.map((unit) => accountsUnder(unit.id)))).flat());
    const [allowed, dryRun] = await Promise.all([collect(this.#allowed), collect(this.#dryRun)]);
    const snapshot: OrganizationsSnapshot = {
      allowed,
      dryRun,
      units: walked.size,
      calls: counter.calls,
      durationMs: this.#clock.now().getTime() - startedAt,
      readAt,
      source: 'walk',
    };
    this.#logger?.info(
      {
        accounts: allowed.size,
        dryRunAccounts: dryRun.size,
        units: snapshot.units,
        calls: snapshot.calls,
        durationMs: snapshot.durationMs,
      },
      'organizations: OU membership read',
    );
    return snapshot;
  }

  /** Every account directly in `parentId` and in the units below it. */
  async #accountsUnder(
    parentId: string,
    call: <T>(action: string, send: () => Promise<T>) => Promise<T>,
    accountsUnder: (unitId: string) => Promise<string[]>,
  ): Promise<string[]> {
    const accounts: string[] = [];
    const children: string[] = [];
    // Every List* call may answer an empty page with a NextToken: loop on the token, never on the page.
    const listAccounts = async () => {
      let token: string | undefined;
      do {
        const page = await call('ListAccountsForParent', () =>
          this.#client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token })),
        );
        for (const account of page.Accounts ?? []) {
          // A suspended (closed) account has no member role to assume any more.
          if (account.Id !== undefined && account.Status !== 'SUSPENDED') accounts.push(account.Id);
        }
        token = page.NextToken;
      } while (token !== undefined && token !== '');
    };
    const listUnits = async () => {
      let token: string | undefined;
      do {
        const page = await call('ListOrganizationalUnitsForParent', () =>
          this.#client.send(
            new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token }),
          ),
        );
        for (const unit of page.OrganizationalUnits ?? []) if (unit.Id !== undefined) children.push(unit.Id);
        token = page.NextToken;
      } while (token !== undefined && token !== '');
    };
    await Promise.all([listAccounts(), listUnits()]);
    const below = await Promise.all(children.map(accountsUnder));
    return [...accounts, ...below.flat()];
  }
}

/** At most `limit` tasks at a time, the others queued in order. */
class Gate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

function shared(stored: {
  allowed: readonly string[];
  dryRun: readonly string[];
  readAt: Date;
  units: number;
  calls: number;
}): OrganizationsSnapshot {
  return {
    allowed: new Set(stored.allowed),
    dryRun: new Set(stored.dryRun),
    units: stored.units,
    calls: stored.calls,
    durationMs: 0,
    readAt: stored.readAt,
    source: 'shared',
  };
}
