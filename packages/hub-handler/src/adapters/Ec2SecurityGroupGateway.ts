import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type EC2ClientConfig,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  type AccountCredentials,
  type CredentialsProvider,
  type GroupTarget,
  type IpPermission,
  type MutationResult,
  RemediationHubError,
  ResourceGoneError,
  type SecurityGroup,
  type SecurityGroupGateway,
  TransientAwsError,
} from '@remediation-hub/core';
import { awsErrorCode, isThrottling, mapAwsError, refusesCredentials } from './mapAwsError.js';
import {
  EC2_DESCRIBE_RATE,
  EC2_MUTATING_RATE,
  type RateLimiter,
  TokenBucketLimiter,
} from './TokenBucketLimiter.js';

export interface Ec2SecurityGroupGatewayOptions {
  credentials: CredentialsProvider;
  /** Merged into every per-account EC2 client (endpoint, maxAttempts, request handler, ...). */
  clientConfig?: Partial<EC2ClientConfig>;
  /** Paces mutating calls per `${account}:${region}` (default: EC2's bucket of 50, 5 per s). */
  limiter?: RateLimiter;
  /** Paces DescribeSecurityGroups per `${account}:${region}` (default: EC2's 100, 20 per s). */
  describeLimiter?: RateLimiter;
}

/** A mutation's result with the request id of each call (one per permission). */
export interface Ec2MutationResult extends MutationResult {
  requestIds: string[];
}

type Mutation = 'revoke' | 'authorize';

/** The error code that means "this permission is not in the state the call wants to change". */
const NO_OP_CODE: Record<Mutation, string> = {
  revoke: 'InvalidPermission.NotFound',
  authorize: 'InvalidPermission.Duplicate',
};

interface CachedClient {
  /** The access key the client signs with: a renewed or re-assumed session gets a new client. */
  accessKeyId: string;
  client: EC2Client;
  /** Calls in flight on this client; a replaced client is destroyed once they are done. */
  inUse: number;
  replaced: boolean;
}

/**
 * A member account's security groups through the member role. One EC2 client per account and region,
 * replaced (and the old one destroyed once its calls are done) when the account's credentials change: renewed
 * before expiry, or assumed again after EC2 refused them (`ExpiredToken`, `AuthFailure`, ...). A refusal
 * drops the credentials from the provider and is retryable: the next attempt signs with a fresh session.
 */
export class Ec2SecurityGroupGateway implements SecurityGroupGateway {
  readonly #credentials: CredentialsProvider;
  readonly #clientConfig: Partial<EC2ClientConfig>;
  readonly #limiter: RateLimiter;
  readonly #describeLimiter: RateLimiter;
  readonly #clients = new Map<string, CachedClient>();

  constructor(options: Ec2SecurityGroupGatewayOptions) {
    this.#credentials = options.credentials;
    this.#clientConfig = options.clientConfig ?? {};
    this.#limiter = options.limiter ?? new TokenBucketLimiter(EC2_MUTATING_RATE);
    this.#describeLimiter = options.describeLimiter ?? new TokenBucketLimiter(EC2_DESCRIBE_RATE);
  }

  describe(target: GroupTarget): Promise<SecurityGroup> {
    const call = `ec2:DescribeSecurityGroups ${target.groupId}`;
    return this.#withClient(target, call, async (client) => {
      await this.#describeLimiter.acquire(bucketKey(target));
      const response = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [target.groupId] }));
      const group = response.SecurityGroups?.find((g) => g.GroupId === target.groupId);
      if (!group) {
        throw new ResourceGoneError(`security group ${target.groupId} not found`, context(target));
      }
      return group;
    });
  }

  revoke(target: GroupTarget, permissions: IpPermission[]): Promise<Ec2MutationResult> {
    return this.#mutate('revoke', target, permissions);
  }

  authorize(target: GroupTarget, permissions: IpPermission[]): Promise<Ec2MutationResult> {
    return this.#mutate('authorize', target, permissions);
  }

  /**
   * One call per permission, deliberately. EC2 refuses a whole multi-permission call when one permission
   * is already in the wanted state (`InvalidPermission.NotFound` / `.Duplicate`), and the emulator even
   * applies part of such a call before refusing it; one call each says exactly which permissions EC2
   * changed and which it did not know, with each change's own request id. The limiter paces the calls.
   */
  async #mutate(
    kind: Mutation,
    target: GroupTarget,
    permissions: IpPermission[],
  ): Promise<Ec2MutationResult> {
    const result: Ec2MutationResult = {
      requestId: undefined,
      requestIds: [],
      unknownPermissions: [],
      answerLost: [],
    };
    if (permissions.length === 0) return result;
    return this.#withClient(target, action(kind, target), async (client) => {
      for (const permission of permissions) {
        try {
          const one = await this.#send(kind, client, target, permission);
          result.requestId ??= one.requestId;
          result.requestIds.push(...one.requestIds);
          result.unknownPermissions.push(...one.unknownPermissions);
          result.answerLost.push(...one.answerLost);
        } catch (error) {
          if (awsErrorCode(error) !== NO_OP_CODE[kind]) throw error;
          const refused = requestIdOf(error);
          result.requestId ??= refused;
          result.requestIds.push(...listOf(refused));
          (wasRetried(error) ? result.answerLost : result.unknownPermissions).push(permission);
        }
      }
      return result;
    });
  }

  async #send(
    kind: Mutation,
    client: EC2Client,
    target: GroupTarget,
    permission: IpPermission,
  ): Promise<Ec2MutationResult> {
    await this.#limiter.acquire(bucketKey(target));
    const input = { GroupId: target.groupId, IpPermissions: [permission] };
    const response =
      kind === 'revoke'
        ? await client.send(new RevokeSecurityGroupIngressCommand(input))
        : await client.send(new AuthorizeSecurityGroupIngressCommand(input));
    const requestId = response.$metadata.requestId;
    const unknown =
      'UnknownIpPermissions' in response && Array.isArray(response.UnknownIpPermissions)
        ? response.UnknownIpPermissions
        : [];
    // EC2 names the permissions it did not know whatever it says in `Return` (`false` is seen when none of
    // the call's permissions was there): those are an answer, not a failure. Only `false` without them is.
    if (response.Return === false && unknown.length === 0) {
      throw new TransientAwsError(`${action(kind, target)} returned false`, context(target));
    }
    // Sent again by the SDK: what EC2 did not know at the last try was most likely changed by an earlier one.
    const retried = wasRetried(response);
    return {
      requestId,
      requestIds: listOf(requestId),
      unknownPermissions: retried ? [] : unknown,
      answerLost: retried ? unknown : [],
    };
  }

  /** Closes the cached EC2 clients' connections (CLI runs and tests). */
  destroy(): void {
    for (const { client } of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }

  /**
   * Runs `use` with the account's client for the target's region; maps what it throws to the core's errors.
   * Credentials EC2 refused are dropped from the provider (only that session: one renewed meanwhile stays)
   * and the clients signing with them are replaced; the error is retryable.
   */
  async #withClient<T>(
    target: GroupTarget,
    call: string,
    use: (client: EC2Client) => Promise<T>,
  ): Promise<T> {
    const account = await this.#credentials.forAccount(target.accountId);
    const entry = this.#clientFor(target, account);
    entry.inUse++;
    try {
      return await use(entry.client);
    } catch (error) {
      if (error instanceof RemediationHubError || !refusesCredentials(error)) {
        throw mapAwsError(error, call, context(target));
      }
      const { accessKeyId } = account.credentials;
      this.#credentials.invalidate?.(target.accountId, accessKeyId);
      for (const [key, cached] of this.#clients) {
        if (key.startsWith(`${target.accountId}:`) && cached.accessKeyId === accessKeyId) {
          this.#replace(key, cached);
        }
      }
      throw new TransientAwsError(
        `${call} failed: ${awsErrorCode(error)}: EC2 refused the member account's session credentials; they are dropped and the next attempt assumes the role again`,
        { ...context(target), cause: error },
      );
    } finally {
      entry.inUse--;
      if (entry.replaced && entry.inUse === 0) entry.client.destroy();
    }
  }

  #clientFor(target: GroupTarget, account: AccountCredentials): CachedClient {
    const key = bucketKey(target);
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = account.credentials;
    const cached = this.#clients.get(key);
    if (cached && cached.accessKeyId === accessKeyId) return cached;
    if (cached) this.#replace(key, cached);
    const client = new EC2Client({
      retryMode: 'adaptive',
      maxAttempts: 5,
      ...this.#clientConfig,
      region: target.region,
      credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    });
    this.#pace(client, key);
    const entry: CachedClient = { accessKeyId, client, inUse: 0, replaced: false };
    this.#clients.set(key, entry);
    return entry;
  }

  /**
   * Inside the SDK's retries (each attempt passes here): a retry of a mutating call waits for a token like a first
   * call (the SDK's own retries would otherwise go unpaced), and a throttled attempt tells the limiter, which may
   * then pace with the other containers.
   */
  #pace(client: EC2Client, key: string): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const mutating = MUTATING_COMMANDS.has(context.commandName ?? '');
        const limiter = mutating ? this.#limiter : this.#describeLimiter;
        if (isRetry(args.request)) await limiter.acquire(key);
        try {
          return await next(args);
        } catch (error) {
          if (isThrottling(error)) limiter.throttled?.(key);
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'pacedAttempts' },
    );
  }

  /** Takes a client out of the cache; destroyed now if idle, else by the last call still using it. */
  #replace(key: string, entry: CachedClient): void {
    if (this.#clients.get(key) === entry) this.#clients.delete(key);
    entry.replaced = true;
    if (entry.inUse === 0) entry.client.destroy();
  }
}

const MUTATING_COMMANDS = new Set([
  'RevokeSecurityGroupIngressCommand',
  'AuthorizeSecurityGroupIngressCommand',
]);

/** The SDK's retry middleware numbers each attempt in `amz-sdk-request: attempt=N; max=M`. */
function isRetry(request: unknown): boolean {
  const headers = (request as { headers?: Record<string, string> }).headers;
  const attempt = /attempt=(\d+)/.exec(headers?.['amz-sdk-request'] ?? '')?.[1];
  return attempt !== undefined && Number(attempt) > 1;
}

function bucketKey(target: GroupTarget): string {
  return `${target.accountId}:${target.region}`;
}

function context(target: GroupTarget) {
  return { accountId: target.accountId, region: target.region, groupId: target.groupId };
}

function action(kind: Mutation, target: GroupTarget): string {
  return `ec2:${kind === 'revoke' ? 'RevokeSecurityGroupIngress' : 'AuthorizeSecurityGroupIngress'} ${target.groupId}`;
}

function requestIdOf(error: unknown): string | undefined {
  const metadata = (error as { $metadata?: { requestId?: string } }).$metadata;
  return metadata?.requestId;
}

/** The SDK sent the call more than once (its answer or error carries the attempts). */
function wasRetried(answer: unknown): boolean {
  const metadata = (answer as { $metadata?: { attempts?: number } }).$metadata;
  return (metadata?.attempts ?? 1) > 1;
}

function listOf(requestId: string | undefined): string[] {
  return requestId === undefined ? [] : [requestId];
}
