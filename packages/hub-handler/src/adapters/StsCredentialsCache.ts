import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import {
  type AccountCredentials,
  AccountNotAllowedError,
  type Clock,
  type CredentialsProvider,
  TransientAwsError,
} from '@remediation-hub/core';
import { systemClock } from '../systemClock.js';
import { mapAwsError } from './mapAwsError.js';

export interface StsCredentialsCacheOptions {
  /** The hub's own STS client (created once by the composition root). */
  sts: STSClient;
  /** The member role's name, e.g. `RemediationHubMemberRole`. */
  roleName: string;
  /** The member role's IAM path, `/` or `/remediation-hub/`. */
  rolePath?: string;
  /** Sent with every AssumeRole; the member role trusts the hub only with it. */
  externalId: string;
  partition?: string;
  /** The role session name: CloudTrail in the member account shows it. */
  sessionName?: string;
  clock?: Clock;
  /** Credentials are renewed this many seconds before they expire. */
  refreshBeforeExpirySeconds?: number;
  durationSeconds?: number;
  /** Told of each AssumeRole that failed (the `AssumeRoleFailure` metric), once per STS call, not per waiter. */
  onAssumeRoleFailure?: (accountId: string, error: unknown) => void;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Credentials for acting in member accounts: STS AssumeRole of the member role with the ExternalId,
 * cached per account until shortly before expiry, with at most one AssumeRole in flight per account
 * however many alerts for it arrive together.
 */
export class StsCredentialsCache implements CredentialsProvider {
  readonly #sts: STSClient;
  readonly #roleName: string;
  readonly #rolePath: string;
  readonly #externalId: string;
  readonly #partition: string;
  readonly #sessionName: string;
  readonly #clock: Clock;
  readonly #refreshBeforeMs: number;
  readonly #durationSeconds: number;
  readonly #onAssumeRoleFailure: ((accountId: string, error: unknown) => void) | undefined;
  readonly #cached = new Map<string, AccountCredentials>();
  readonly #inFlight = new Map<string, Promise<AccountCredentials>>();

  constructor(options: StsCredentialsCacheOptions) {
    this.#sts = options.sts;
    this.#roleName = options.roleName;
    this.#rolePath = options.rolePath ?? '/';
    this.#externalId = options.externalId;
    this.#partition = options.partition ?? 'aws';
    this.#sessionName = options.sessionName ?? 'remediation-hub';
    this.#clock = options.clock ?? systemClock;
    this.#refreshBeforeMs = (options.refreshBeforeExpirySeconds ?? 300) * 1000;
    this.#durationSeconds = options.durationSeconds ?? 900;
    this.#onAssumeRoleFailure = options.onAssumeRoleFailure;
    if (!this.#rolePath.startsWith('/') || !this.#rolePath.endsWith('/')) {
      throw new TypeError(`rolePath must start and end with "/", got ${JSON.stringify(this.#rolePath)}`);
    }
  }

  /** `arn:<partition>:iam::<account>:role/<path><name>` */
  roleArnFor(accountId: string): string {
    return `arn:${this.#partition}:iam::${accountId}:role${this.#rolePath}${this.#roleName}`;
  }

  async forAccount(accountId: string): Promise<AccountCredentials> {
    if (!ACCOUNT_ID.test(accountId)) {
      throw new AccountNotAllowedError(`not a 12-digit account id: ${JSON.stringify(accountId)}`);
    }
    const cached = this.#cached.get(accountId);
    if (cached && this.#isFresh(cached)) return cached;

    const pending = this.#inFlight.get(accountId);
    if (pending) return pending;

    const assumed = this.#assume(accountId).then(
      (result) => {
        this.#cached.set(accountId, result);
        return result;
      },
      (error: unknown) => {
        this.#cached.delete(accountId);
        this.#onAssumeRoleFailure?.(accountId, error);
        throw error;
      },
    );
    const tracked = assumed.finally(() => this.#inFlight.delete(accountId));
    this.#inFlight.set(accountId, tracked);
    return tracked;
  }

  /**
   * Forgets an account's credentials (EC2 said they expired or were revoked), so the next `forAccount`
   * assumes the role again. Given the refused `accessKeyId`, credentials renewed since are kept.
   */
  invalidate(accountId: string, accessKeyId?: string): void {
    const cached = this.#cached.get(accountId);
    if (cached === undefined) return;
    if (accessKeyId !== undefined && cached.credentials.accessKeyId !== accessKeyId) return;
    this.#cached.delete(accountId);
  }

  #isFresh(entry: AccountCredentials): boolean {
    return entry.credentials.expiration.getTime() - this.#clock.now().getTime() > this.#refreshBeforeMs;
  }

  async #assume(accountId: string): Promise<AccountCredentials> {
    const roleArn = this.roleArnFor(accountId);
    let response: AssumeRoleCommandOutput;
    try {
      response = await this.#sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.#sessionName,
          ExternalId: this.#externalId,
          DurationSeconds: this.#durationSeconds,
        }),
      );
    } catch (error) {
      throw mapAwsError(error, `sts:AssumeRole ${roleArn}`, { accountId });
    }
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new TransientAwsError(`sts:AssumeRole ${roleArn} returned no credentials`, { accountId });
    }
    const expiration =
      c.Expiration instanceof Date
        ? c.Expiration
        : new Date(this.#clock.now().getTime() + this.#durationSeconds * 1000);
    return {
      accountId,
      roleArn,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration,
      },
    };
  }
}
