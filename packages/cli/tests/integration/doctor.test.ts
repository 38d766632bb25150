import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { LEDGER_TABLE } from '@remediation-hub/core';
import {
  awsQueryError,
  createGroup,
  ec2Error,
  hubSqs,
  type LocalUpResult,
  type RecordingProxy,
  startRecordingProxy,
  upTestHub,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import type { DoctorReport } from '../../src/operations/runDoctor.js';

// Accounts 555555557701-709 belong to this file.
const A = '555555557701';
const B = '555555557702';
const C = '555555557703';

describe('remediation-hub doctor', () => {
  let up: LocalUpResult;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    up = await upTestHub('doctor', [A, B, C], { accountRegistry: true });
    // Each account has a group, so the dry-run revoke has something to name.
    for (const account of [A, B, C]) await createGroup(account, 'us-east-1', [WORLD_SSH]);
  });
  afterEach(async () => {
    await proxy?.close();
  });

  const doctor = async (argv: string[] = [], env: Record<string, string> = {}) => {
    proxy = await startRecordingProxy();
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false };
    const run = (extra: string[]) =>
      main(['doctor', ...argv, ...extra], io, {
        env: { ...process.env, ...up.env, QUEUE_URL: up.queue.url, ...env },
        endpoint: proxy.endpoint,
      });
    return { run, out, err, proxy };
  };

  it('exits 0 for a healthy hub, after trying every allowed account', async () => {
    const { run, out, proxy } = await doctor();
    expect(await run([])).toBe(0);
    const text = out.join('');
    const indexes = LEDGER_TABLE.globalSecondaryIndexes.map((index) => index.indexName).join(', ');
    expect(text).toMatch(new RegExp(`^ledger table\\s+ok\\s+.*ACTIVE, indexes ${indexes}$`, 'm'));
    expect(text).toMatch(/^registry table\s+ok\s+.*index(es)? current$/m);
    expect(text).toMatch(/^dead letters\s+ok\s+none in /m);
    expect(text).toMatch(/^member roles\s+ok\s+3 account\(s\)/m);
    expect(text).toMatch(/healthy: \d+ checks, 3 member account\(s\) tried/);
    // Each account: one AssumeRole with the external id, a describe, and a revoke that only asked (DryRun).
    const assumed = proxy.requests.filter((r) => r.action === 'AssumeRole');
    expect(assumed.map((r) => r.params.RoleArn?.split(':')[4]).sort()).toEqual([A, B, C]);
    expect(assumed.every((r) => r.params.ExternalId === up.externalId)).toBe(true);
    const revokes = proxy.requests.filter((r) => r.action === 'RevokeSecurityGroupIngress');
    expect(revokes).toHaveLength(3);
    expect(revokes.every((r) => r.params.DryRun === 'true')).toBe(true);
  });

  it('exits 1 naming the account whose member role is missing (AssumeRole refused)', async () => {
    const { run, out, proxy } = await doctor(['--json']);
    proxy.failNext((r) => r.action === 'AssumeRole' && (r.params.RoleArn ?? '').includes(`::${B}:`), {
      status: 403,
      body: awsQueryError(
        'AccessDenied',
        `User: arn:aws:sts::123456789012:assumed-role/RemediationHubFunctionRole/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${B}:role/remediation-hub/RemediationHubMemberRole`,
      ),
    });
    expect(await run([])).toBe(1);
    const report = JSON.parse(out.join('')) as DoctorReport;
    expect(report.healthy).toBe(false);
    expect(report.checks.find((c) => c.check === 'member roles')).toMatchObject({
      status: 'problem',
      detail: `1 of 3 account(s) with a problem: ${B}`,
    });
    expect(report.accounts.find((a) => a.accountId === B)).toMatchObject({
      assume: 'problem',
      problem: expect.stringMatching(
        /member role is missing, or its trust refuses the hub role or the external id/,
      ),
    });
    expect(
      report.accounts
        .filter((a) => a.problem === undefined)
        .map((a) => a.accountId)
        .sort(),
    ).toEqual([A, C]);
  });

  it('exits 1 naming the account whose member role may not revoke (the dry run refused)', async () => {
    const { run, out, proxy } = await doctor(['--accounts', C]);
    proxy.failNext((r) => r.action === 'RevokeSecurityGroupIngress', {
      status: 403,
      body: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
    });
    expect(await run([])).toBe(1);
    expect(out.join('')).toMatch(
      new RegExp(
        `^${C}\\s+remediate\\s+environment\\s+ok\\s+ok\\s+problem\\s+the member role lacks ec2:RevokeSecurityGroupIngress`,
        'm',
      ),
    );
  });

  it('exits 1 when the dead-letter queue holds messages, saying how many and where', async () => {
    const sqs = hubSqs();
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: up.deadLetterQueue.url, MessageBody: '{"dead":1}' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: up.deadLetterQueue.url, MessageBody: '{"dead":2}' }));
      const { run, out } = await doctor(['--accounts', A]);
      expect(await run([])).toBe(1);
      // The URL's host is whichever endpoint answered GetQueueUrl (here the proxy): match the queue by its name.
      expect(out.join('')).toMatch(
        new RegExp(`^dead letters\\s+PROBLEM\\s+2 message\\(s\\) in \\S+/${up.deadLetterQueue.name}: `, 'm'),
      );
      expect(out.join('')).toMatch(/^1 problem: dead letters$/m);
    } finally {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: up.deadLetterQueue.url }));
      sqs.destroy();
    }
  });

  it('exits 1 when the ledger table name is wrong', async () => {
    const { run, out } = await doctor(['--accounts', A], { LEDGER_TABLE: 'remediation-hub-ledger-typo' });
    expect(await run([])).toBe(1);
    expect(out.join('')).toMatch(
      /^ledger table\s+PROBLEM\s+table remediation-hub-ledger-typo does not exist in this account and region \(check the table name\)$/m,
    );
  });

  it('exits 1 on a configuration that cannot be read, naming each bad variable', async () => {
    const { run, out } = await doctor([], { ALLOWED_OUS: 'Engineering' });
    expect(await run([])).toBe(1);
    expect(out.join('')).toMatch(/^configuration\s+PROBLEM\s+ALLOWED_OUS must be comma-separated OU ids/m);
  });
});
