import { DeleteSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import {
  AccessDeniedError,
  type GroupTarget,
  ResourceGoneError,
  ThrottledError,
  TransientAwsError,
} from '@remediation-hub/core';
import {
  awsClientConfig,
  createGroup,
  ec2Error,
  flattenRules,
  ingressRules,
  memberEc2,
  OFFICE_SSH,
  type RecordingProxy,
  startRecordingProxy,
  testClock,
  WORLD_HTTPS,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ec2SecurityGroupGateway } from '../../src/adapters/Ec2SecurityGroupGateway.js';
import { StsCredentialsCache } from '../../src/adapters/StsCredentialsCache.js';
import type { RateLimiter } from '../../src/adapters/TokenBucketLimiter.js';

// Accounts 333333333310-319 belong to this file.
const A = '333333333310';
const B = '333333333311';

const UNKNOWN_PERMISSIONS_RESPONSE = `<?xml version="1.0" encoding="UTF-8"?>
<RevokeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>7e2c1f00-0000-4000-8000-000000000001</requestId>
  <return>true</return>
  <unknownIpPermissionSet>
    <item>
      <ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>
      <groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/>
    </item>
  </unknownIpPermissionSet>
</RevokeSecurityGroupIngressResponse>`;

describe('Ec2SecurityGroupGateway', () => {
  let proxy: RecordingProxy;
  let sts: STSClient;
  let clock: ReturnType<typeof testClock>;
  let credentials: StsCredentialsCache;
  let limited: string[];
  let gateway: Ec2SecurityGroupGateway;

  const recordingLimiter: RateLimiter = { acquire: async (key) => void limited.push(key) };
  const ec2Calls = (action: string) => proxy.requests.filter((r) => r.action === action);

  beforeEach(async () => {
    proxy = await startRecordingProxy();
    sts = new STSClient(awsClientConfig({ endpoint: proxy.endpoint }));
    clock = testClock();
    credentials = new StsCredentialsCache({
      sts,
      roleName: 'RemediationHubMemberRole',
      externalId: 'x-1',
      clock,
    });
    limited = [];
    gateway = new Ec2SecurityGroupGateway({
      credentials,
      clientConfig: { endpoint: proxy.endpoint, maxAttempts: 1 },
      limiter: recordingLimiter,
    });
  });
  afterEach(async () => {
    gateway.destroy();
    sts.destroy();
    await proxy.close();
  });

  it('describes the live group in the target account and region', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const group = await gateway.describe({ accountId: A, region: 'eu-west-1', groupId });
    expect(group.GroupId).toBe(groupId);
    expect(group.OwnerId).toBe(A);
    expect(flattenRules(group.IpPermissions ?? [])).toEqual(['tcp 22-22 0.0.0.0/0']);
  });

  it('revokes exactly the given permission and leaves every other rule', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [
      { ...WORLD_SSH, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] },
      WORLD_HTTPS,
    ]);
    const target = { accountId: A, region: 'eu-west-1', groupId };
    const result = await gateway.revoke(target, [WORLD_SSH]);
    expect(result.unknownPermissions).toEqual([]);
    expect(result.requestId).toEqual(expect.any(String));
    expect(result.requestIds).toEqual([result.requestId]);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([
      'tcp 22-22 10.0.0.0/8',
      'tcp 443-443 0.0.0.0/0',
    ]);
  });

  it('authorizes permissions', async () => {
    const groupId = await createGroup(A, 'us-west-2', []);
    const target = { accountId: A, region: 'us-west-2', groupId };
    const result = await gateway.authorize(target, [OFFICE_SSH]);
    expect(result.unknownPermissions).toEqual([]);
    expect(await ingressRules(A, 'us-west-2', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('reports a revoked rule that is not there (InvalidPermission.NotFound) as unknown, not as an error', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [OFFICE_SSH]);
    const result = await gateway.revoke({ accountId: A, region: 'eu-west-1', groupId }, [WORLD_SSH]);
    expect(result.unknownPermissions).toEqual([WORLD_SSH]);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('revokes several permissions one call each, so one missing rule does not hide the others', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH, WORLD_HTTPS]);
    const missing = { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const result = await gateway.revoke({ accountId: A, region: 'eu-west-1', groupId }, [
      WORLD_SSH,
      missing,
      WORLD_HTTPS,
    ]);
    expect(result.unknownPermissions).toEqual([missing]);
    expect(result.requestIds).toHaveLength(3);
    expect(ec2Calls('RevokeSecurityGroupIngress')).toHaveLength(3);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
  });

  it('reads Return true with UnknownIpPermissions (as real EC2 answers) as unknown permissions', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [OFFICE_SSH]);
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      {
        status: 200,
        body: UNKNOWN_PERMISSIONS_RESPONSE,
        // EC2 sends the request id as a header too; the SDK reads it from there.
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': '7e2c1f00-0000-4000-8000-000000000001' },
      },
    );
    const result = await gateway.revoke({ accountId: A, region: 'eu-west-1', groupId }, [WORLD_SSH]);
    expect(flattenRules(result.unknownPermissions)).toEqual(['tcp 22-22 0.0.0.0/0']);
    expect(result.requestId).toBe('7e2c1f00-0000-4000-8000-000000000001');
  });

  it('reads Return false with UnknownIpPermissions as unknown permissions, and Return false alone as a retryable error', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [OFFICE_SSH]);
    const target = { accountId: A, region: 'eu-west-1', groupId };
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      {
        status: 200,
        body: UNKNOWN_PERMISSIONS_RESPONSE.replace('<return>true</return>', '<return>false</return>'),
      },
    );
    const result = await gateway.revoke(target, [WORLD_SSH]);
    expect(flattenRules(result.unknownPermissions)).toEqual(['tcp 22-22 0.0.0.0/0']);

    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      {
        status: 200,
        body: UNKNOWN_PERMISSIONS_RESPONSE.replace('<return>true</return>', '<return>false</return>').replace(
          /<unknownIpPermissionSet>[\s\S]*<\/unknownIpPermissionSet>/,
          '',
        ),
      },
    );
    const error = await gateway.revoke(target, [WORLD_SSH]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('returned false') });
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual(['tcp 22-22 10.0.0.0/8']);
  });

  it('maps a deleted group (InvalidGroup.NotFound) to ResourceGoneError', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const ec2 = await memberEc2(A, 'eu-west-1');
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    ec2.destroy();
    const target = { accountId: A, region: 'eu-west-1', groupId };
    await expect(gateway.describe(target)).rejects.toBeInstanceOf(ResourceGoneError);
    await expect(gateway.revoke(target, [WORLD_SSH])).rejects.toBeInstanceOf(ResourceGoneError);
  });

  it('maps RequestLimitExceeded to a retryable ThrottledError once the SDK retries are spent', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );
    const error = await gateway
      .revoke({ accountId: A, region: 'eu-west-1', groupId }, [WORLD_SSH])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryable: true, accountId: A, groupId });
  });

  it('lets the adaptive SDK retry absorb a single throttled call', async () => {
    const retrying = new Ec2SecurityGroupGateway({
      credentials,
      clientConfig: { endpoint: proxy.endpoint, maxAttempts: 3 },
      limiter: recordingLimiter,
    });
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );
    const result = await retrying.revoke({ accountId: A, region: 'eu-west-1', groupId }, [WORLD_SSH]);
    retrying.destroy();
    expect(result.unknownPermissions).toEqual([]);
    expect(ec2Calls('RevokeSecurityGroupIngress')).toHaveLength(2);
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
  });

  it('tells the limiter of a throttled attempt, and paces the SDK’s retry of it like a first call', async () => {
    const events: string[] = [];
    const pacing: RateLimiter = {
      acquire: async (key) => void events.push(`acquire ${key}`),
      throttled: (key) => void events.push(`throttled ${key}`),
    };
    const retrying = new Ec2SecurityGroupGateway({
      credentials,
      clientConfig: { endpoint: proxy.endpoint, maxAttempts: 3 },
      limiter: pacing,
      describeLimiter: { acquire: async () => {} },
    });
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      { status: 503, body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.') },
    );
    await retrying.revoke({ accountId: A, region: 'eu-west-1', groupId }, [WORLD_SSH]);
    retrying.destroy();
    const key = `${A}:eu-west-1`;
    expect(events).toEqual([`acquire ${key}`, `throttled ${key}`, `acquire ${key}`]);
    expect(ec2Calls('RevokeSecurityGroupIngress')).toHaveLength(2);
  });

  it('maps UnauthorizedOperation to a terminal AccessDeniedError and a 5xx to a retryable error', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const target = { accountId: A, region: 'eu-west-1', groupId };
    proxy.failNext(
      { action: 'DescribeSecurityGroups' },
      {
        status: 403,
        body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
    );
    await expect(gateway.describe(target)).rejects.toBeInstanceOf(AccessDeniedError);
    proxy.failNext(
      { action: 'DescribeSecurityGroups' },
      { status: 500, body: ec2Error('InternalError', 'An internal error has occurred.') },
    );
    await expect(gateway.describe(target)).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('paces mutating calls per account and region, and not describes', async () => {
    const inEu = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const inUs = await createGroup(B, 'us-east-2', [WORLD_SSH]);
    await gateway.describe({ accountId: A, region: 'eu-west-1', groupId: inEu });
    await gateway.revoke({ accountId: A, region: 'eu-west-1', groupId: inEu }, [WORLD_SSH]);
    await gateway.revoke({ accountId: B, region: 'us-east-2', groupId: inUs }, [WORLD_SSH]);
    await gateway.authorize({ accountId: B, region: 'us-east-2', groupId: inUs }, [OFFICE_SSH]);
    expect(limited).toEqual([`${A}:eu-west-1`, `${B}:us-east-2`, `${B}:us-east-2`]);
  });

  it.each([
    ['ExpiredToken', 400],
    ['AuthFailure', 401],
    ['InvalidClientTokenId', 403],
  ])(
    'drops the member credentials EC2 refuses with %s: a retryable error, and the next call assumes the role again',
    async (code, status) => {
      const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
      const target: GroupTarget = { accountId: A, region: 'eu-west-1', groupId };
      await gateway.describe(target);
      proxy.failNext(
        { action: 'RevokeSecurityGroupIngress' },
        { status, body: ec2Error(code, 'The security token is no longer valid.') },
      );
      const destroyed = vi.spyOn(EC2Client.prototype, 'destroy');
      const error = await gateway.revoke(target, [WORLD_SSH]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientAwsError);
      expect(error).toMatchObject({
        retryable: true,
        accountId: A,
        groupId,
        message: expect.stringContaining(code),
      });
      // The client that signed with the refused session is closed at once (nothing else is using it).
      expect(destroyed).toHaveBeenCalledTimes(1);
      destroyed.mockRestore();

      const result = await gateway.revoke(target, [WORLD_SSH]);
      expect(result.unknownPermissions).toEqual([]);
      expect(proxy.requests.filter((r) => r.action === 'AssumeRole')).toHaveLength(2);
      const keys = ec2Calls('RevokeSecurityGroupIngress').map((r) => r.accessKeyId);
      expect(keys).toHaveLength(2);
      expect(keys[0]).not.toBe(keys[1]);
      expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
    },
  );

  it('keeps the role’s own refusal (UnauthorizedOperation) terminal and the credentials cached', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const target: GroupTarget = { accountId: A, region: 'eu-west-1', groupId };
    proxy.failNext(
      { action: 'RevokeSecurityGroupIngress' },
      {
        status: 403,
        body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
    );
    await expect(gateway.revoke(target, [WORLD_SSH])).rejects.toBeInstanceOf(AccessDeniedError);
    await gateway.describe(target);
    expect(proxy.requests.filter((r) => r.action === 'AssumeRole')).toHaveLength(1);
  });

  it('destroys the EC2 client of the old credentials once they are renewed', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const target: GroupTarget = { accountId: A, region: 'eu-west-1', groupId };
    await gateway.describe(target);
    const destroyed = vi.spyOn(EC2Client.prototype, 'destroy');
    await gateway.describe(target);
    expect(destroyed).not.toHaveBeenCalled();
    clock.advanceSeconds(3600);
    await gateway.describe(target);
    expect(destroyed).toHaveBeenCalledTimes(1);
    destroyed.mockRestore();
  });

  it('signs with the renewed credentials once the account’s credentials are refreshed', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const target: GroupTarget = { accountId: A, region: 'eu-west-1', groupId };
    await gateway.describe(target);
    clock.advanceSeconds(3600);
    await gateway.describe(target);
    const keys = ec2Calls('DescribeSecurityGroups').map((r) => r.accessKeyId);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    expect(proxy.requests.filter((r) => r.action === 'AssumeRole')).toHaveLength(2);
  });
});
