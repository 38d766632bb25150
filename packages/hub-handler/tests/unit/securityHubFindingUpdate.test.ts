import type { LedgerRecord, Outcome } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { NOTE_MAX_LENGTH, securityHubFindingUpdate } from '../../src/adapters/securityHubFindingUpdate.js';

const ID =
  'arn:aws:securityhub:eu-west-1:222222222222:security-control/EC2.19/finding/3f0b2a6e-5c1d-4e8f-9a7b-1c2d3e4f5a6b';
const PRODUCT = 'arn:aws:securityhub:eu-west-1::product/aws/securityhub';

function record(changes: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    alertId: ID,
    eventKey: 'FAILED#2025-03-04T02:15:28.917Z',
    alertStatus: 'FAILED',
    state: 'completed',
    outcome: 'remediated',
    recordedAt: '2025-03-04T02:16:00.000Z',
    expiresAt: 0,
    source: 'security-hub',
    accountId: '222222222222',
    region: 'eu-west-1',
    resourceId: 'sg-0a1b2c3d4e5f60718',
    sourceRef: { productArn: PRODUCT, workflowStatus: 'NEW' },
    revoked: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    authorized: [],
    requestIds: [],
    attempts: 1,
    timings: { firstSeenAt: '2025-03-04T02:16:00.000Z', startedAt: '2025-03-04T02:16:00.000Z' },
    ...changes,
  };
}

describe('securityHubFindingUpdate', () => {
  it('resolves a remediated finding, naming what was revoked and re-authorized and the ledger key', () => {
    const narrowed = record({
      authorized: [
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 19, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 9301, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    });
    expect(securityHubFindingUpdate(narrowed).update).toEqual({
      FindingIdentifiers: [{ Id: ID, ProductArn: PRODUCT }],
      Workflow: { Status: 'RESOLVED' },
      Note: {
        Text:
          'remediation-hub closed this exposure (222222222222 eu-west-1 sg-0a1b2c3d4e5f60718): revoked tcp 0-65535 from 0.0.0.0/0, ' +
          're-authorized tcp 0-19 from 0.0.0.0/0, re-authorized tcp 9301-65535 from 0.0.0.0/0. ' +
          `Ledger key: ${ID} FAILED#2025-03-04T02:15:28.917Z`,
        UpdatedBy: 'remediation-hub',
      },
    });
  });

  it('keeps the note within 512 characters: as many rules as fit, then how many more, and always the ledger key', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      IpProtocol: 'udp',
      FromPort: 1000 + i,
      ToPort: 1000 + i,
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    }));
    const text = securityHubFindingUpdate(record({ revoked: many })).update?.Note.Text ?? '';
    expect(text.length).toBeLessThanOrEqual(NOTE_MAX_LENGTH);
    expect(text).toMatch(/revoked udp 1000 from ::\/0, .* and \d+ more\. Ledger key: /);
    expect(text.endsWith(`Ledger key: ${ID} FAILED#2025-03-04T02:15:28.917Z`)).toBe(true);
  });

  it('names the finding as "this finding" when its Id would leave no room', () => {
    const text = securityHubFindingUpdate(record({ alertId: `${ID}/${'x'.repeat(600)}` })).update?.Note.Text;
    expect(text).toContain("Ledger key: this finding's Id, FAILED#2025-03-04T02:15:28.917Z");
    expect(text?.length).toBeLessThanOrEqual(NOTE_MAX_LENGTH);
  });

  it('notifies on a failure with the error, cut to fit', () => {
    const failed = record({
      outcome: 'failed',
      revoked: [],
      error: {
        name: 'AccessDeniedError',
        code: 'UnauthorizedOperation',
        message: `denied ${'!'.repeat(700)}`,
        retryable: false,
      },
    });
    const update = securityHubFindingUpdate(failed).update;
    expect(update?.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(update?.Note.Text).toMatch(
      /^remediation-hub could not close this exposure: AccessDeniedError \(UnauthorizedOperation\): denied !+…\. Ledger key: /,
    );
    expect(update?.Note.Text.length).toBe(NOTE_MAX_LENGTH);
  });

  it('never cuts a character in half: the note stays UTF-8 (BatchUpdateFindings refuses a lone surrogate)', () => {
    for (const pad of ['', '!']) {
      const failed = record({
        outcome: 'failed',
        revoked: [],
        error: { name: 'AccessDeniedError', message: `${pad}${'😀'.repeat(400)}`, retryable: false },
      });
      const text = securityHubFindingUpdate(failed).update?.Note.Text ?? '';
      expect(text.length).toBeLessThanOrEqual(NOTE_MAX_LENGTH);
      expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });

  it('does not notify a finding that arrived NOTIFIED: its own write-back would come back as the same notification', () => {
    const failed = record({
      outcome: 'failed',
      sourceRef: { productArn: PRODUCT, workflowStatus: 'NOTIFIED' },
    });
    expect(securityHubFindingUpdate(failed)).toEqual({ skip: 'the finding is NOTIFIED already' });
  });

  it.each<Outcome>([
    'dry-run',
    'exempt',
    'already-compliant',
    'resource-gone',
    'ignored',
    'unsupported',
    'rejected',
  ])('leaves a %s finding as it is', (outcome) => {
    expect(securityHubFindingUpdate(record({ outcome })).update).toBeUndefined();
  });

  it('writes back only Security Hub findings, and only those that carried their ProductArn', () => {
    expect(securityHubFindingUpdate(record({ source: 'evident' })).skip).toBe('not a Security Hub finding');
    expect(securityHubFindingUpdate(record({ source: undefined })).skip).toBe('not a Security Hub finding');
    expect(securityHubFindingUpdate(record({ sourceRef: undefined })).skip).toBe(
      'the finding carried no ProductArn',
    );
  });
});
