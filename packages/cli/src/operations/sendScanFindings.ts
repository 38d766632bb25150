import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type Ledger,
  type Outcome,
  parseScanFinding,
  type ScanDecision,
  type ScanFindingDocument,
  scanDecision,
  scanEventKey,
  scanFindingDocument,
} from '@remediation-hub/core';
import type { AccountScan, ScannedGroup } from './scanAccount.js';

/** One exposure of a scan, and what `--remediate` did about it. */
export interface ScanExposureResult {
  region: string;
  groupId: string;
  groupName: string | undefined;
  /** `evident/AWS:EC2-002`: the scan source's id of the control. */
  control: string;
  service: string;
  revoke: ScannedGroup['exposures'][number]['plan']['revoke'];
  authorize: ScannedGroup['exposures'][number]['plan']['authorize'];
  reason: string;
  /** The ledger key of its scan finding. */
  findingId: string;
  eventKey: string;
  /** With `--remediate`: sent (and why), or not (and why). */
  action?:
    | { sent: true; why: 'new' | 'again' | 'reopened'; episode: number; messageId: string | undefined }
    | {
        sent: false;
        why: 'in-progress' | 'undone' | 'dry-run';
        recorded: Outcome | 'in-progress';
        undoneBy?: string | undefined;
      };
}

export interface SendOptions {
  ledger: Pick<Ledger, 'listByAlert'>;
  sqs: SQSClient;
  queueUrl: string;
  /** The account is only planned for (`REMEDIATION_MODE=dry-run`, or in `DRY_RUN_ACCOUNTS`). */
  dryRun: boolean;
  now: Date;
}

/** Every exposure of the scan, as the hub's findings would name it. */
export function scanExposures(
  scan: AccountScan,
  now: Date,
): Array<ScanExposureResult & { document: ScanFindingDocument }> {
  return scan.groups.flatMap((group) =>
    group.exposures.map((exposure) => {
      const document = scanFindingDocument({
        accountId: scan.accountId,
        region: group.region,
        groupId: group.groupId,
        ownerId: group.ownerId,
        control: exposure.control,
        revoke: exposure.plan.revoke,
        episode: 1,
        scannedAt: now,
      });
      const finding = parseScanFinding(document);
      return {
        region: group.region,
        groupId: group.groupId,
        groupName: group.groupName,
        control: finding.control.id,
        service: exposure.control.service,
        revoke: exposure.plan.revoke,
        authorize: exposure.plan.authorize,
        reason: exposure.plan.reason,
        findingId: finding.id,
        eventKey: finding.eventKey,
        document,
      };
    }),
  );
}

/**
 * `--remediate`: one scan finding per exposure to the hub queue, unless the ledger says the hub has it already
 * (`scanDecision`: being processed, undone, recorded in dry-run while still in dry-run), so that a second scan
 * sends nothing new. Sent in batches of ten (SQS's largest).
 */
export async function sendScanFindings(
  exposures: Array<ScanExposureResult & { document: ScanFindingDocument }>,
  options: SendOptions,
): Promise<ScanExposureResult[]> {
  const pending: Array<{
    exposure: ScanExposureResult;
    document: ScanFindingDocument;
    decision: ScanDecision & { send: true };
  }> = [];
  const results: ScanExposureResult[] = [];
  for (const { document, ...exposure } of exposures) {
    const records = await options.ledger.listByAlert(exposure.findingId);
    const decision = scanDecision(records, exposure.eventKey, options.dryRun);
    if (decision.send) {
      const sent = { ...document, episode: decision.episode };
      pending.push({
        exposure: { ...exposure, eventKey: scanEventKey(document.exposure, decision.episode) },
        document: sent,
        decision,
      });
    } else {
      results.push({
        ...exposure,
        action: {
          sent: false,
          why: decision.why,
          recorded: decision.record.outcome ?? 'in-progress',
          undoneBy: decision.record.revertedBy,
        },
      });
    }
  }
  for (let start = 0; start < pending.length; start += 10) {
    const batch = pending.slice(start, start + 10);
    const { Successful = [], Failed = [] } = await options.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: batch.map((entry, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(entry.document),
        })),
      }),
    );
    const failed = Failed[0];
    if (failed !== undefined) {
      throw new Error(
        `SQS refused ${Failed.length} of ${batch.length} scan findings (${failed.Code ?? 'error'}: ${failed.Message ?? ''}); run the scan again to send them`,
      );
    }
    batch.forEach((entry, index) => {
      const messageId = Successful.find((s) => s.Id === String(index))?.MessageId;
      results.push({
        ...entry.exposure,
        action: { sent: true, why: entry.decision.why, episode: entry.decision.episode, messageId },
      });
    });
  }
  // In the scan's order (group by group, control by control), whatever was sent.
  const byId = new Map(results.map((result) => [result.findingId, result]));
  return exposures.flatMap((exposure) => byId.get(exposure.findingId) ?? []);
}
