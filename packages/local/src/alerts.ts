import { readFileSync } from 'node:fs';

/** The Evident JSON:API document, loosely typed: the demo and tests change it freely. */
// biome-ignore lint/suspicious/noExplicitAny: a sample document is changed freely.
export type EvidentDocument = Record<string, any>;

let sample: EvidentDocument | undefined;

/** The sample alert of `shared/fixtures/alerts/` (a copy in this package's samples/), as a fresh clone. */
export function loadSampleAlert(): EvidentDocument {
  sample ??= JSON.parse(
    readFileSync(new URL('../samples/evident/evident-ec2-002-fail.json', import.meta.url), 'utf8'),
  ) as EvidentDocument;
  return structuredClone(sample);
}

export interface AlertSpec {
  id: string;
  accountId: string;
  region: string;
  groupId: string;
  status?: 'fail' | 'warn' | 'pass' | 'error' | 'info';
  signature?: string;
  signatureName?: string;
  /** Defaults to a role in `accountId`; set it to name another account. */
  externalAccountArn?: string;
  /** When Evident first saw the failure (`started_at`, where time-to-close starts); default the sample's. */
  startedAt?: Date;
}

/** An Evident alert document for one security group, built from the sample alert. */
export function makeAlert(spec: AlertSpec): EvidentDocument {
  const doc = loadSampleAlert();
  doc.data.id = spec.id;
  doc.data.attributes.status = spec.status ?? 'fail';
  doc.data.attributes.resource = spec.groupId;
  if (spec.startedAt) doc.data.attributes.started_at = spec.startedAt.toISOString();
  for (const entry of doc.included as EvidentDocument[]) {
    if (entry.type === 'external_accounts') {
      entry.attributes.account = spec.accountId;
      entry.attributes.arn =
        spec.externalAccountArn ?? `arn:aws:iam::${spec.accountId}:role/Evident-Service-Role`;
    } else if (entry.type === 'regions') {
      entry.attributes.code = spec.region.replaceAll('-', '_');
    } else if (entry.type === 'signatures') {
      entry.attributes.identifier = spec.signature ?? 'AWS:EC2-002';
      if (spec.signatureName) entry.attributes.name = spec.signatureName;
    } else if (entry.type === 'metadata') {
      const group = entry.attributes.data.details.securityGroup;
      group.groupId = spec.groupId;
      group.ownerId = spec.accountId;
    }
  }
  return doc;
}

/** The document inside an SNS notification envelope, as SQS receives it with raw delivery off. */
export function snsEnvelope(
  doc: EvidentDocument,
  topicArn = 'arn:aws:sns:us-east-1:123456789012:evident-alerts',
) {
  return {
    Type: 'Notification',
    MessageId: crypto.randomUUID(),
    TopicArn: topicArn,
    Message: JSON.stringify(doc),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:0`,
  };
}
