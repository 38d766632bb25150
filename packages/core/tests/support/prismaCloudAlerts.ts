import { readFileSync } from 'node:fs';

/** The parts of a Prisma Cloud alert body that tests read and mutate; the rest is kept as it came. */
export interface PrismaCloudAlert {
  alertId: unknown;
  alertStatus: unknown;
  accountId: unknown;
  resourceRegionId: unknown;
  resourceId: unknown;
  policyId: unknown;
  policyName?: unknown;
  severity?: unknown;
  firstSeen?: unknown;
  lastSeen?: unknown;
  cloudType?: unknown;
  resource: { accountId?: unknown; regionId?: unknown; [key: string]: unknown } | string;
  [key: string]: unknown;
}

const alerts = {
  'ssh-open': 'ssh-open.json',
  'ssh-resolved': 'ssh-resolved.json',
  's3-sample': 'prisma-cloud-sqs-alert.json',
} as const;
export type PrismaCloudAlertName = keyof typeof alerts;

const read = (file: string): string =>
  readFileSync(new URL(`../events/prisma/${file}`, import.meta.url), 'utf8');

const texts = new Map<PrismaCloudAlertName, string>();

/** The alert's file as text (the SQS body). */
export function prismaCloudAlertText(name: PrismaCloudAlertName): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = read(alerts[name]);
    texts.set(name, text);
  }
  return text;
}

/** A fresh copy of the alert, free to mutate. */
export function loadPrismaCloudAlert(name: PrismaCloudAlertName): PrismaCloudAlert {
  return JSON.parse(prismaCloudAlertText(name)) as PrismaCloudAlert;
}

/** The SQS body of the test notification record (the fixture is a whole SQS event: `Records[0].body`). */
export function prismaCloudTestBody(): string {
  const event = JSON.parse(read('prisma-cloud-sqs-test-record.json')) as { Records: Array<{ body: string }> };
  const [record] = event.Records;
  if (record === undefined) throw new Error('the test record fixture holds no record');
  return record.body;
}
