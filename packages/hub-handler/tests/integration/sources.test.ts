import { AuthorizeSecurityGroupIngressCommand, type IpPermission } from '@aws-sdk/client-ec2';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createGroup,
  ec2Error,
  hubEvents,
  ingressRules,
  makeAlert,
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  memberEc2,
  OFFICE_SSH,
  prismaCloudTestMessage,
  publish,
  putEvents,
  queueDepth,
  type RecordedRequest,
  securityHubEvent,
  snsEnvelope,
  uniqueName,
  WORLD_HTTPS,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOutcomes } from '../../src/handler/processBatch.js';
import { consumeOnce, type HubRun, requestsOf, useTestHub } from '../support/testHub.js';

// Accounts 555555555510-519 belong to this file; 519 is never on the allow-list.
const A = '555555555510';
const B = '555555555511';
const NOT_ALLOWED = '555555555519';
const REGION = 'us-east-1';

const world = (protocol: string, from: number, to: number): IpPermission => ({
  IpProtocol: protocol,
  FromPort: from,
  ToPort: to,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
});
const WORLD_SSH_V6: IpPermission = { ...WORLD_SSH, IpRanges: [], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

/** A BatchUpdateFindings request: REST-JSON, `PATCH /findings/batchupdate`, signed for `securityhub`. */
const isBatchUpdate = (request: RecordedRequest) =>
  request.method === 'PATCH' && request.path === '/findings/batchupdate';
const batchUpdates = (run: HubRun) =>
  run.proxy.requests
    .filter(isBatchUpdate)
    .map((request) => JSON.parse(request.body) as Record<string, unknown>);
/** Security Hub's answer: the emulator has no BatchUpdateFindings, so the proxy answers in its place. */
const processed = (unprocessed: unknown[] = []) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ProcessedFindings: [], UnprocessedFindings: unprocessed }),
});

/**
 * Every source and form on its real path through the emulator: Evident through the SNS topic (raw and in the SNS
 * envelope), Security Hub through EventBridge (PutEvents → the hub's rule → the queue), Prisma Cloud straight to the
 * queue (its SQS integration sends there); then the poller, the Lambda handler, the member role, EC2 and the ledger.
 */
describe('sources: Evident, Security Hub and Prisma Cloud through one hub', () => {
  const hub = useTestHub('sources', [A, B]);
  let events: ReturnType<typeof hubEvents>;
  beforeAll(() => {
    events = hubEvents();
  });
  afterAll(() => events.destroy());

  const putFindings = (...findings: Array<Record<string, unknown>>) =>
    putEvents(
      events,
      findings.map((finding) => securityHubEvent([finding])),
      hub.up.securityHubRule.eventBusName,
    );
  const sendToQueue = (body: unknown) =>
    hub.sqs.send(new SendMessageCommand({ QueueUrl: hub.up.queue.url, MessageBody: JSON.stringify(body) }));
  const expectDrained = async () => {
    expect(await queueDepth(hub.sqs, hub.up.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueDepth(hub.sqs, hub.up.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
  };

  it('Evident, raw and in its SNS envelope, through the topic: each group loses its world SSH', async () => {
    const raw = await createGroup(A, REGION, [WORLD_SSH, WORLD_HTTPS]);
    const enveloped = await createGroup(B, REGION, [WORLD_SSH, OFFICE_SSH]);
    const rawAlert = makeAlert({ id: uniqueName('ev'), accountId: A, region: REGION, groupId: raw });
    const envelopedAlert = makeAlert({
      id: uniqueName('ev'),
      accountId: B,
      region: REGION,
      groupId: enveloped,
    });
    await publish(hub.sns, hub.up.topic.arn, rawAlert);
    await publish(hub.sns, hub.up.topic.arn, JSON.stringify(snsEnvelope(envelopedAlert)));

    const run = await hub.start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => [r.source, r.outcome])).toEqual([
      ['evident', 'remediated'],
      ['evident', 'remediated'],
    ]);
    expect(await ingressRules(A, REGION, raw)).toEqual(['tcp 443-443 0.0.0.0/0']);
    expect(await ingressRules(B, REGION, enveloped)).toEqual(['tcp 22-22 10.0.0.0/8']);
    expect(await run.root.ledger.get(envelopedAlert.data.id, 'fail')).toMatchObject({
      source: 'evident',
      signature: { identifier: 'AWS:EC2-002' },
      outcome: 'remediated',
    });
    await expectDrained();
  });

  it('Security Hub, each form through EventBridge: consolidated EC2.18 keeps its authorised ports, per-standard EC2.19, CIS 4.1, EC2.53 leaves ::/0', async () => {
    const groups = {
      ec218: await createGroup(A, REGION, [
        WORLD_SSH,
        WORLD_HTTPS,
        world('tcp', 8080, 8080),
        world('udp', 53, 53),
      ]),
      ec219: await createGroup(A, REGION, [world('tcp', 3306, 3306), world('tcp', 443, 443), OFFICE_SSH]),
      cis41: await createGroup(B, REGION, [{ ...WORLD_SSH, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]),
      ec253: await createGroup(B, REGION, [WORLD_SSH, WORLD_SSH_V6]),
    };
    const findings = {
      ec218: makeSecurityHubFinding({
        form: 'consolidated',
        control: 'EC2.18',
        accountId: A,
        region: REGION,
        groupId: groups.ec218,
        // Authorised: tcp 80, 443 and udp 53, as the finding's own parameters say.
        parameters: [
          { Name: 'authorizedTcpPorts', Value: ['80', '443'] },
          { Name: 'authorizedUdpPorts', Value: ['53'] },
        ],
      }),
      ec219: makeSecurityHubFinding({
        form: 'per-standard',
        control: 'EC2.19',
        accountId: A,
        region: REGION,
        groupId: groups.ec219,
      }),
      cis41: makeSecurityHubFinding({
        form: 'cis-1.2',
        control: '4.1',
        accountId: B,
        region: REGION,
        groupId: groups.cis41,
      }),
      ec253: makeSecurityHubFinding({
        form: 'consolidated',
        control: 'EC2.53',
        accountId: B,
        region: REGION,
        groupId: groups.ec253,
      }),
    };
    await putFindings(findings.ec218, findings.ec219, findings.cis41, findings.ec253);

    const run = await hub.start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(countOutcomes(results)).toEqual({ remediated: 4 });
    expect(await ingressRules(A, REGION, groups.ec218)).toEqual([
      'tcp 443-443 0.0.0.0/0',
      'udp 53-53 0.0.0.0/0',
    ]);
    expect(await ingressRules(A, REGION, groups.ec219)).toEqual([
      'tcp 22-22 10.0.0.0/8',
      'tcp 443-443 0.0.0.0/0',
    ]);
    expect(await ingressRules(B, REGION, groups.cis41)).toEqual([]);
    expect(await ingressRules(B, REGION, groups.ec253)).toEqual(['tcp 22-22 ::/0']);
    const controls = await Promise.all(
      Object.values(findings).map(async (f) => {
        const record = await run.root.ledger.get(f.Id, `FAILED#${f.UpdatedAt}`);
        return [
          record?.source,
          record?.signature?.identifier,
          record?.outcome,
          record?.sourceRef?.productArn,
        ];
      }),
    );
    const productArn = `arn:aws:securityhub:${REGION}::product/aws/securityhub`;
    expect(controls).toEqual([
      ['security-hub', 'EC2.18', 'remediated', productArn],
      ['security-hub', 'EC2.19', 'remediated', productArn],
      ['security-hub', 'EC2.13', 'remediated', productArn],
      ['security-hub', 'EC2.53', 'remediated', productArn],
    ]);
    // Local up's environment turns the write-back off: the emulator has no BatchUpdateFindings.
    expect(run.proxy.requests.filter(isBatchUpdate)).toEqual([]);
    await expectDrained();
  });

  it('a re-opened Security Hub finding (same Id, later UpdatedAt) is remediated again; a redelivered event is a counted duplicate', async () => {
    const groupId = await createGroup(A, REGION, [WORLD_SSH]);
    const first = makeSecurityHubFinding({
      form: 'consolidated',
      control: 'EC2.13',
      accountId: A,
      region: REGION,
      groupId,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    // EventBridge redelivers the very same event.
    await putFindings(first, first);
    const run = await hub.start();
    const firstPass = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(firstPass.results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'remediated']);
    expect(await ingressRules(A, REGION, groupId)).toEqual([]);

    // Someone opens SSH again; Security Hub re-evaluates the same finding Id and moves UpdatedAt.
    const ec2 = await memberEc2(A, REGION);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [WORLD_SSH] }),
    );
    ec2.destroy();
    const reopened = { ...structuredClone(first), UpdatedAt: '2026-01-02T00:00:00.000Z' };
    await putFindings(reopened);
    const secondPass = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(secondPass.results.map((r) => r.outcome)).toEqual(['remediated']);
    expect(await ingressRules(A, REGION, groupId)).toEqual([]);
    const records = await run.root.ledger.listByAlert(first.Id);
    expect(records.map((r) => [r.eventKey, r.outcome, r.duplicateDeliveries ?? 0]).sort()).toEqual([
      ['FAILED#2026-01-01T00:00:00.000Z', 'remediated', 1],
      ['FAILED#2026-01-02T00:00:00.000Z', 'remediated', 0],
    ]);
    await expectDrained();
  });

  it('Prisma Cloud, straight to the queue: the SSH policy closes SSH; its test message is ignored and consumed', async () => {
    const groupId = await createGroup(B, REGION, [WORLD_SSH, WORLD_SSH_V6, WORLD_HTTPS]);
    const alert = makePrismaCloudAlert({ alertId: `P-${Date.now()}`, accountId: B, region: REGION, groupId });
    await sendToQueue(alert);
    await sendToQueue(prismaCloudTestMessage());

    const run = await hub.start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    expect(results.map((r) => [r.source, r.alertId, r.outcome]).sort()).toEqual(
      [
        ['prisma-cloud', alert.alertId, 'remediated'],
        ['prisma-cloud', 'T-0', 'ignored'],
      ].sort(),
    );
    expect(await ingressRules(B, REGION, groupId)).toEqual(['tcp 443-443 0.0.0.0/0']);
    expect(
      await run.root.ledger.get(alert.alertId, `open#${new Date(alert.lastSeen).toISOString()}`),
    ).toMatchObject({
      source: 'prisma-cloud',
      signature: { identifier: '617b9138-584b-4e8e-ad15-7fbabafbed1a' },
      outcome: 'remediated',
    });
    // The test message names no group: nothing was asked of STS for it, only for the real alert's account.
    expect(requestsOf(run, 'AssumeRole').map((r) => r.params.RoleArn)).toEqual([
      `arn:aws:iam::${B}:role/remediation-hub/RemediationHubMemberRole`,
    ]);
    await expectDrained();
  });

  it('rejects a malformed finding of each source with a one-line reason naming the field, and never calls STS', async () => {
    const groupId = await createGroup(A, REGION, [WORLD_SSH]);
    const evident = makeAlert({ id: uniqueName('bad'), accountId: A, region: REGION, groupId });
    for (const entry of evident.included)
      if (entry.type === 'regions') entry.attributes.code = 'mars_north_1';
    const securityHub = makeSecurityHubFinding({
      form: 'consolidated',
      control: 'EC2.13',
      accountId: A,
      region: REGION,
      groupId,
    });
    securityHub.AwsAccountId = '12345';
    const prisma = makePrismaCloudAlert({
      alertId: `P-${Date.now()}`,
      accountId: A,
      region: REGION,
      groupId,
    });
    prisma.resource.regionId = 'eu-west-1';
    await publish(hub.sns, hub.up.topic.arn, evident);
    await putFindings(securityHub);
    await sendToQueue(prisma);

    const run = await hub.start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

    const reasons: Record<string, [string, string | undefined]> = Object.fromEntries(
      results.map((r) => [r.source, [r.outcome, r.error?.message]]),
    );
    expect(reasons).toEqual({
      evident: [
        'rejected',
        'included[regions].attributes.code: expected an AWS region code such as ap_northeast_1, got "mars_north_1"',
      ],
      'security-hub': ['rejected', 'detail.findings[0].AwsAccountId: expected 12 digits, got "12345"'],
      'prisma-cloud': [
        'rejected',
        'resource.regionId: expected the region of resourceRegionId (us-east-1), got "eu-west-1"',
      ],
    });
    for (const [, message] of Object.values(reasons)) expect(message).not.toContain('\n');
    expect(requestsOf(run, 'AssumeRole')).toEqual([]);
    expect(await ingressRules(A, REGION, groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
    await expectDrained();
  });

  it('rejects a Security Hub finding of an account off the allow-list before any STS call', async () => {
    const finding = makeSecurityHubFinding({
      form: 'consolidated',
      control: 'EC2.13',
      accountId: NOT_ALLOWED,
      region: REGION,
      groupId: 'sg-0badacc0000000001',
    });
    await putFindings(finding);
    const run = await hub.start();
    const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);
    expect(results.map((r) => [r.source, r.outcome])).toEqual([['security-hub', 'rejected']]);
    expect(requestsOf(run, 'AssumeRole')).toEqual([]);
  });

  describe('the Security Hub write-back (BatchUpdateFindings, answered by the proxy: the emulator has none)', () => {
    const noWait = async () => {};
    const startWritingBack = () => hub.start({ SECURITY_HUB_WRITE_BACK: 'on' }, { sleep: noWait });

    it('sets a remediated finding RESOLVED with a note of what was revoked and the ledger key, once', async () => {
      const groupId = await createGroup(A, REGION, [WORLD_SSH, WORLD_SSH_V6, WORLD_HTTPS]);
      const finding = makeSecurityHubFinding({
        form: 'consolidated',
        control: 'EC2.13',
        accountId: A,
        region: REGION,
        groupId,
      });
      await putFindings(finding);
      const run = await startWritingBack();
      run.proxy.failNext(isBatchUpdate, processed());

      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

      expect(results.map((r) => r.outcome)).toEqual(['remediated']);
      const eventKey = `FAILED#${finding.UpdatedAt}`;
      expect(batchUpdates(run)).toEqual([
        {
          FindingIdentifiers: [{ Id: finding.Id, ProductArn: finding.ProductArn }],
          Workflow: { Status: 'RESOLVED' },
          Note: {
            Text: `remediation-hub closed this exposure (${A} ${REGION} ${groupId}): revoked tcp 22 from 0.0.0.0/0, revoked tcp 22 from ::/0. Ledger key: ${finding.Id} ${eventKey}`,
            UpdatedBy: 'remediation-hub',
          },
        },
      ]);
      const [request] = run.proxy.requests.filter(isBatchUpdate);
      // REST-JSON, in the hub's region, signed by the hub's own credentials for Security Hub.
      expect(request).toMatchObject({ service: 'securityhub', accessKeyId: 'testing' });
      expect(String(request?.headers.authorization)).toContain(`/${REGION}/securityhub/aws4_request`);
      expect(run.log.lines).toContainEqual(
        expect.objectContaining({ msg: 'security hub finding updated', workflow: 'RESOLVED', attempts: 1 }),
      );
    });

    it('sets a failed finding NOTIFIED with the reason, and leaves the outcome as recorded', async () => {
      const groupId = await createGroup(B, REGION, [WORLD_SSH]);
      const finding = makeSecurityHubFinding({
        form: 'consolidated',
        control: 'EC2.13',
        accountId: B,
        region: REGION,
        groupId,
      });
      await putFindings(finding);
      const run = await startWritingBack();
      // The member role may not describe groups, as on an account whose role lacks the permission.
      run.proxy.failNext(
        { action: 'DescribeSecurityGroups' },
        {
          status: 403,
          body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
        },
      );
      run.proxy.failNext(isBatchUpdate, processed());

      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

      expect(results.map((r) => r.outcome)).toEqual(['failed']);
      const [update] = batchUpdates(run);
      expect(update).toMatchObject({
        FindingIdentifiers: [{ Id: finding.Id, ProductArn: finding.ProductArn }],
        Workflow: { Status: 'NOTIFIED' },
        Note: { UpdatedBy: 'remediation-hub' },
      });
      const text = String((update?.Note as { Text?: string } | undefined)?.Text);
      expect(text).toMatch(
        /^remediation-hub could not close this exposure: AccessDeniedError \(UnauthorizedOperation\): /,
      );
      expect(text).toContain(`Ledger key: ${finding.Id} FAILED#${finding.UpdatedAt}`);
      expect(text.length).toBeLessThanOrEqual(512);
      expect(await ingressRules(B, REGION, groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);
    });

    it('tries again after an unprocessed ConcurrentUpdateError, and gives up on FindingNotFound with one error line', async () => {
      const groups = [await createGroup(A, REGION, [WORLD_SSH]), await createGroup(A, REGION, [WORLD_SSH])];
      const [retried, missing] = groups.map((groupId) =>
        makeSecurityHubFinding({
          form: 'consolidated',
          control: 'EC2.13',
          accountId: A,
          region: REGION,
          groupId,
        }),
      );
      if (retried === undefined || missing === undefined) throw new Error('two findings expected');
      await putFindings(retried, missing);
      const run = await startWritingBack();
      const unprocessed = (finding: Record<string, unknown>, code: string) => ({
        FindingIdentifier: { Id: finding.Id, ProductArn: finding.ProductArn },
        ErrorCode: code,
        ErrorMessage: `${code} for this finding`,
      });
      const about = (finding: Record<string, unknown>) => (request: RecordedRequest) =>
        isBatchUpdate(request) && request.body.includes(String(finding.Id));
      run.proxy.failNext(about(retried), processed([unprocessed(retried, 'ConcurrentUpdateError')]));
      run.proxy.failNext(about(retried), processed());
      run.proxy.failNext(about(missing), processed([unprocessed(missing, 'FindingNotFound')]), 5);

      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

      expect(countOutcomes(results)).toEqual({ remediated: 2 });
      const calls = batchUpdates(run).map((u) => (u.FindingIdentifiers as Array<{ Id: string }>)[0]?.Id);
      expect(calls.filter((id) => id === retried.Id)).toHaveLength(2);
      expect(calls.filter((id) => id === missing.Id)).toHaveLength(1);
      expect(run.log.lines).toContainEqual(
        expect.objectContaining({
          msg: 'security hub write-back failed',
          ledgerKey: { alertId: missing.Id, eventKey: `FAILED#${missing.UpdatedAt}` },
          error: expect.objectContaining({ code: 'FindingNotFound', retryable: false }),
        }),
      );
      await expectDrained();
    });

    it('never writes back for Evident or Prisma Cloud, nor for a Security Hub finding it did not remediate', async () => {
      const groupId = await createGroup(A, REGION, [WORLD_SSH]);
      const prismaGroup = await createGroup(B, REGION, [WORLD_SSH]);
      const compliant = await createGroup(A, REGION, [OFFICE_SSH]);
      await publish(
        hub.sns,
        hub.up.topic.arn,
        makeAlert({ id: uniqueName('ev'), accountId: A, region: REGION, groupId }),
      );
      await sendToQueue(
        makePrismaCloudAlert({
          alertId: `P-${Date.now()}`,
          accountId: B,
          region: REGION,
          groupId: prismaGroup,
        }),
      );
      await putFindings(
        makeSecurityHubFinding({
          form: 'consolidated',
          control: 'EC2.13',
          accountId: A,
          region: REGION,
          groupId: compliant,
        }),
      );
      const run = await startWritingBack();

      const { results } = await consumeOnce(run, hub.sqs, hub.up.queue.url);

      expect(results.map((r) => [r.source, r.outcome]).sort()).toEqual([
        ['evident', 'remediated'],
        ['prisma-cloud', 'remediated'],
        ['security-hub', 'already-compliant'],
      ]);
      expect(run.proxy.requests.filter(isBatchUpdate)).toEqual([]);
    });
  });
});
