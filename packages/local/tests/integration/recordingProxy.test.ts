import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig, ec2Error, type RecordingProxy, startRecordingProxy } from '../../src/index.js';

describe('startRecordingProxy', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy();
  });
  afterAll(() => proxy.close());

  it('forwards requests to the emulator and records their action, service and parameters', async () => {
    proxy.clear();
    const sts = new STSClient(awsClientConfig({ endpoint: proxy.endpoint }));
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111111111103:role/Probe',
        RoleSessionName: 'probe',
        ExternalId: 'ext-123',
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toContain('111111111103');
    const assumeRoles = proxy.requests.filter((r) => r.action === 'AssumeRole');
    expect(assumeRoles).toHaveLength(1);
    expect(assumeRoles[0]?.service).toBe('sts');
    expect(assumeRoles[0]?.params.ExternalId).toBe('ext-123');
  });

  it('answers matching requests with an injected error, then forwards again', async () => {
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    proxy.failNext(
      { action: 'DescribeSecurityGroups' },
      { status: 503, body: ec2Error('RequestLimitExceeded', 'slow down') },
    );
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    const second = await ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(second.SecurityGroups).toBeDefined();
  });

  it('can reset the connection like a network failure', async () => {
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    proxy.failNext({ service: 'ec2' }, 'reset');
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toThrow();
  });
});
