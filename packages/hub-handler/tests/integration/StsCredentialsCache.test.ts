import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AccessDeniedError, ThrottledError } from '@remediation-hub/core';
import {
  awsClientConfig,
  awsQueryError,
  type RecordingProxy,
  startRecordingProxy,
  testClock,
} from '@remediation-hub/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StsCredentialsCache } from '../../src/adapters/StsCredentialsCache.js';

// Accounts 333333333301-309 belong to this file.
const A = '333333333301';
const B = '333333333302';

describe('StsCredentialsCache', () => {
  let proxy: RecordingProxy;
  let sts: STSClient;
  const assumeRoles = () => proxy.requests.filter((r) => r.action === 'AssumeRole');

  beforeEach(async () => {
    proxy = await startRecordingProxy();
    sts = new STSClient({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
  });
  afterEach(async () => {
    sts.destroy();
    await proxy.close();
  });

  const cache = (clock = testClock()) =>
    new StsCredentialsCache({
      sts,
      roleName: 'RemediationHubMemberRole',
      rolePath: '/remediation-hub/',
      externalId: 'ext-4f1c',
      clock,
    });

  it('assumes the member role by its path and name, with the ExternalId and the fixed session name', async () => {
    const result = await cache().forAccount(A);
    expect(result.roleArn).toBe(`arn:aws:iam::${A}:role/remediation-hub/RemediationHubMemberRole`);
    expect(assumeRoles().map((r) => r.params)).toEqual([
      expect.objectContaining({
        RoleArn: result.roleArn,
        ExternalId: 'ext-4f1c',
        RoleSessionName: 'remediation-hub',
        DurationSeconds: '900',
      }),
    ]);
    expect(result.credentials.expiration).toBeInstanceOf(Date);
  });

  it('returns credentials that act in the member account', async () => {
    const { credentials } = await cache().forAccount(B);
    const member = new STSClient(awsClientConfig({ credentials }));
    const identity = await member.send(new GetCallerIdentityCommand({}));
    member.destroy();
    expect(identity.Account).toBe(B);
  });

  it('builds partition-qualified role ARNs', () => {
    const china = new StsCredentialsCache({ sts, roleName: 'R', externalId: 'x', partition: 'aws-cn' });
    expect(china.roleArnFor(A)).toBe(`arn:aws-cn:iam::${A}:role/R`);
  });

  it('caches per account: one AssumeRole per account however often it is asked', async () => {
    const c = cache();
    await c.forAccount(A);
    await c.forAccount(A);
    await c.forAccount(B);
    await c.forAccount(B);
    expect(assumeRoles().map((r) => r.params.RoleArn?.split(':')[4])).toEqual([A, B]);
  });

  it('keeps one AssumeRole in flight per account when many alerts ask at once', async () => {
    const c = cache();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.forAccount(i % 2 ? A : B)));
    expect(assumeRoles()).toHaveLength(2);
    expect(new Set(results.map((r) => r.credentials.accessKeyId)).size).toBe(2);
  });

  it('renews the credentials 5 minutes before they expire, not earlier', async () => {
    const clock = testClock();
    const c = cache(clock);
    const first = await c.forAccount(A);
    const untilExpiry = (first.credentials.expiration.getTime() - clock.now().getTime()) / 1000;
    clock.advanceSeconds(untilExpiry - 310);
    expect((await c.forAccount(A)).credentials.accessKeyId).toBe(first.credentials.accessKeyId);
    expect(assumeRoles()).toHaveLength(1);
    clock.advanceSeconds(20);
    const renewed = await c.forAccount(A);
    expect(assumeRoles()).toHaveLength(2);
    expect(renewed.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
  });

  it('assumes the role again after its credentials were invalidated, but keeps credentials renewed since', async () => {
    const c = cache();
    const first = await c.forAccount(A);
    c.invalidate(A, first.credentials.accessKeyId);
    const second = await c.forAccount(A);
    expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
    expect(assumeRoles()).toHaveLength(2);
    // A late refusal of the first session does not drop the second.
    c.invalidate(A, first.credentials.accessKeyId);
    expect((await c.forAccount(A)).credentials.accessKeyId).toBe(second.credentials.accessKeyId);
    expect(assumeRoles()).toHaveLength(2);
    c.invalidate(A);
    await c.forAccount(A);
    expect(assumeRoles()).toHaveLength(3);
  });

  it('maps an STS AccessDenied (member role missing or refusing) to a terminal AccessDeniedError', async () => {
    proxy.failNext(
      { action: 'AssumeRole' },
      {
        status: 403,
        body: awsQueryError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole'),
      },
    );
    const c = cache();
    const error = await c.forAccount(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ retryable: false, accountId: A });
    // Not cached: the next alert asks STS again.
    await expect(c.forAccount(A)).resolves.toMatchObject({ accountId: A });
    expect(assumeRoles()).toHaveLength(2);
  });

  it('maps STS throttling to a retryable ThrottledError', async () => {
    proxy.failNext(
      { action: 'AssumeRole' },
      { status: 400, body: awsQueryError('Throttling', 'Rate exceeded') },
    );
    const error = await cache()
      .forAccount(A)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryable).toBe(true);
  });

  it('refuses an account id that is not 12 digits without calling STS', async () => {
    await expect(cache().forAccount('12345')).rejects.toThrow(/not a 12-digit account id/);
    expect(assumeRoles()).toHaveLength(0);
  });
});
