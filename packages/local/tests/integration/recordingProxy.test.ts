import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('records when each request arrived, when its answer was sent and with which status', async () => {
    proxy.clear();
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    proxy.delayNext({ action: 'DescribeSecurityGroups' }, 50);
    await ec2.send(new DescribeSecurityGroupsCommand({}));
    proxy.failNext(
      { action: 'DescribeSecurityGroups' },
      { status: 503, body: ec2Error('Unavailable', 'no') },
    );
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toThrow();
    const [held, failed] = proxy.requests;
    expect(held?.status).toBe(200);
    expect((held?.answeredAt ?? 0) - (held?.receivedAt ?? 0)).toBeGreaterThanOrEqual(45);
    expect(failed?.status).toBe(503);
    expect(failed?.receivedAt).toBeGreaterThanOrEqual(held?.answeredAt ?? Number.POSITIVE_INFINITY);
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
    // Only the forwarded one has the emulator's status: the injected one never reached it.
    const describes = proxy.requests.filter((r) => r.action === 'DescribeSecurityGroups').slice(-2);
    expect(describes.map((r) => r.upstreamStatus)).toEqual([undefined, 200]);
  });

  it('records the status each request was answered with, and its signing region', async () => {
    proxy.clear();
    const ec2 = new EC2Client({
      ...awsClientConfig({ endpoint: proxy.endpoint, region: 'eu-west-1' }),
      maxAttempts: 1,
    });
    proxy.failNext({ action: 'DescribeSecurityGroups' }, { status: 503, body: ec2Error('Unavailable', 'x') });
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toThrow();
    await ec2.send(new DescribeSecurityGroupsCommand({}));
    proxy.failNext({ action: 'DescribeSecurityGroups' }, 'reset');
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toThrow();
    await vi.waitFor(() => expect(proxy.requests).toHaveLength(3));
    expect(proxy.requests.map((r) => [r.region, r.status])).toEqual([
      ['eu-west-1', 503],
      ['eu-west-1', 200],
      // Destroyed without an answer.
      ['eu-west-1', undefined],
    ]);
    const [, forwarded] = proxy.requests;
    expect(forwarded?.answeredAt).toBeGreaterThanOrEqual(forwarded?.receivedAt ?? Number.POSITIVE_INFINITY);
    ec2.destroy();
  });

  it('can reset the connection like a network failure', async () => {
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    proxy.failNext({ service: 'ec2' }, 'reset');
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toThrow();
  });

  it('can lose the answer of a request the emulator applied', async () => {
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `lost-${Date.now()}`, Description: 'lost answer' }),
    );
    const rule = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] }));
    proxy.failNext({ action: 'RevokeSecurityGroupIngress' }, 'lose-answer');
    await expect(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] })),
    ).rejects.toThrow();
    // The answer was lost, the revoke was made: the proxy saw the emulator's 200.
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [GroupId ?? ''] }),
    );
    expect(SecurityGroups?.[0]?.IpPermissions).toEqual([]);
    // Sent again, the revoke finds the rule gone: the emulator's refusal is recorded too.
    await expect(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] })),
    ).rejects.toThrow();
    const revokes = proxy.requests.filter((r) => r.action === 'RevokeSecurityGroupIngress').slice(-2);
    expect(revokes.map((r) => r.upstreamStatus)).toEqual([200, 400]);
  });

  it('holds the next matching request before forwarding it, while other requests pass at once', async () => {
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    const sts = new STSClient(awsClientConfig({ endpoint: proxy.endpoint }));
    const assumeRole = () =>
      sts.send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111103:role/Probe', RoleSessionName: 'p' }),
      );
    const timed = async (call: () => Promise<unknown>) => {
      const started = Date.now();
      await call();
      return Date.now() - started;
    };
    proxy.delayNext({ action: 'DescribeSecurityGroups' }, 1_000);

    const finished: string[] = [];
    const held = timed(() => ec2.send(new DescribeSecurityGroupsCommand({}))).finally(() =>
      finished.push('held DescribeSecurityGroups'),
    );
    await assumeRole().then(() => finished.push('AssumeRole'));
    const heldFor = await held;

    // Forwarded in the end (the emulator answered), after the request sent later.
    expect(finished).toEqual(['AssumeRole', 'held DescribeSecurityGroups']);
    expect(heldFor).toBeGreaterThanOrEqual(900);
    // Only the next one.
    expect(await timed(() => ec2.send(new DescribeSecurityGroupsCommand({})))).toBeLessThan(900);
    ec2.destroy();
    sts.destroy();
  });

  it('drops requests it still holds when it closes, instead of answering them later', async () => {
    const own = await startRecordingProxy();
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: own.endpoint }), maxAttempts: 1 });
    own.delayNext({ action: 'DescribeSecurityGroups' }, 60_000);
    const held = ec2.send(new DescribeSecurityGroupsCommand({}));
    await vi.waitFor(() => expect(own.requests.map((r) => r.action)).toEqual(['DescribeSecurityGroups']));
    await own.close();
    await expect(held).rejects.toThrow();
    ec2.destroy();
  });
});

describe('startRecordingProxy: a token bucket', () => {
  it('answers RequestLimitExceeded once a bucket is empty, refills it with time, and keeps one bucket per key', async () => {
    const proxy = await startRecordingProxy();
    const ec2 = new EC2Client({ ...awsClientConfig({ endpoint: proxy.endpoint }), maxAttempts: 1 });
    try {
      const counts = proxy.rateLimit(
        { action: 'DescribeSecurityGroups' },
        { capacity: 3, refillPerSecond: 2, key: (request) => request.params['GroupName.1'] ?? 'any' },
      );
      const describe = (name: string) =>
        ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: [name] })).then(
          () => 'ok',
          (error: Error) => error.name,
        );
      const burst = [];
      for (let i = 0; i < 5; i++) burst.push(await describe('default'));
      expect(burst).toEqual(['ok', 'ok', 'ok', 'RequestLimitExceeded', 'RequestLimitExceeded']);
      // Another key draws from a bucket of its own.
      expect(await describe('other')).toBe('InvalidGroup.NotFound');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await describe('default')).toBe('ok');
      expect(counts.allowed).toBe(5);
      expect(counts.throttled).toBe(2);
      expect(counts.byKey.get('default')).toEqual({ allowed: 4, throttled: 2 });
      // A request the key function names otherwise (no group name: "any") draws from a full bucket of its own.
      proxy.clear();
      await ec2.send(new DescribeSecurityGroupsCommand({}));
      expect(proxy.requests.map((r) => r.action)).toEqual(['DescribeSecurityGroups']);
    } finally {
      ec2.destroy();
      await proxy.close();
    }
  });
});
