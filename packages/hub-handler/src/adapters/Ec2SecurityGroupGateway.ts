import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type EC2ClientConfig,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  type CredentialsProvider,
  type GroupTarget,
  type IpPermission,
  type MutationResult,
  ResourceGoneError,
  type SecurityGroup,
  type SecurityGroupGateway,
  TransientAwsError,
} from '@remediation-hub/core';
import { awsErrorCode, mapAwsError } from './mapAwsError.js';
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
  expiresAt: number;
  client: EC2Client;
}

/**
 * A member account's security groups through the member role. One EC2 client per account and region,
 * replaced when the account's credentials are renewed (the cache key includes their expiry).
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

  async describe(target: GroupTarget): Promise<SecurityGroup> {
    const client = await this.#clientFor(target);
    await this.#describeLimiter.acquire(bucketKey(target));
    try {
      const response = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [target.groupId] }));
      const group = response.SecurityGroups?.find((g) => g.GroupId === target.groupId);
      if (!group) {
        throw new ResourceGoneError(`security group ${target.groupId} not found`, context(target));
      }
      return group;
    } catch (error) {
      throw mapAwsError(error, `ec2:DescribeSecurityGroups ${target.groupId}`, context(target));
    }
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
    const result: Ec2MutationResult = { requestId: undefined, requestIds: [], unknownPermissions: [] };
    if (permissions.length === 0) return result;
    const client = await this.#clientFor(target);
    for (const permission of permissions) {
      try {
        const one = await this.#send(kind, client, target, permission);
        result.requestId ??= one.requestId;
        result.requestIds.push(...one.requestIds);
        result.unknownPermissions.push(...one.unknownPermissions);
      } catch (error) {
        if (awsErrorCode(error) !== NO_OP_CODE[kind])
          throw mapAwsError(error, action(kind, target), context(target));
        const refused = requestIdOf(error);
        result.requestId ??= refused;
        result.requestIds.push(...listOf(refused));
        result.unknownPermissions.push(permission);
      }
    }
    return result;
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
    return {
      requestId,
      requestIds: listOf(requestId),
      unknownPermissions: unknown,
    };
  }

  /** Closes the cached EC2 clients' connections (CLI runs and tests). */
  destroy(): void {
    for (const { client } of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }

  async #clientFor(target: GroupTarget): Promise<EC2Client> {
    const account = await this.#credentials.forAccount(target.accountId);
    const key = bucketKey(target);
    const expiresAt = account.credentials.expiration.getTime();
    const cached = this.#clients.get(key);
    if (cached && cached.expiresAt === expiresAt) return cached.client;
    const { accessKeyId, secretAccessKey, sessionToken, expiration } = account.credentials;
    const client = new EC2Client({
      retryMode: 'adaptive',
      maxAttempts: 5,
      ...this.#clientConfig,
      region: target.region,
      credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    });
    this.#clients.set(key, { expiresAt, client });
    return client;
  }
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

function listOf(requestId: string | undefined): string[] {
  return requestId === undefined ? [] : [requestId];
}
