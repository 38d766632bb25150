import { readFileSync } from 'node:fs';

/** The parts of an ASFF finding that tests read and mutate; the rest is kept as it came. */
export interface AsffFinding {
  Id: unknown;
  AwsAccountId: unknown;
  UpdatedAt: unknown;
  CreatedAt?: unknown;
  FirstObservedAt?: unknown;
  Title?: unknown;
  Severity?: { Label?: unknown; [key: string]: unknown } | undefined;
  Compliance: {
    Status: unknown;
    SecurityControlId?: unknown;
    SecurityControlParameters?: unknown;
    [key: string]: unknown;
  };
  ProductFields?: Record<string, unknown> | undefined;
  RecordState: unknown;
  Workflow?: { Status: unknown } | undefined;
  Resources: Array<{
    Type?: unknown;
    Id?: unknown;
    Region?: unknown;
    Details?: { AwsEc2SecurityGroup?: Record<string, unknown> | undefined } | undefined;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** An EventBridge event of Security Hub, as the queue receives it. */
export interface SecurityHubEvent {
  source: unknown;
  'detail-type': unknown;
  account: unknown;
  resources: unknown;
  detail: { findings: AsffFinding[]; [key: string]: unknown };
  [key: string]: unknown;
}

const events = {
  'ec2.19-fsbp': 'securityhub-eventbridge-ec2.19-imported.json',
  'ec2.18-consolidated': 'ec2.18-consolidated.json',
  'cis-4.1': 'cis-1.2-4.1.json',
  'cis-4.2': 'cis-1.2-4.2.json',
  'ec2.53': 'ec2.53-consolidated.json',
  'ec2.54': 'ec2.54-consolidated.json',
  'ec2.13-passed': 'ec2.13-passed.json',
  'ec2.19-suppressed': 'ec2.19-suppressed.json',
  'multi-finding': 'multi-finding.json',
} as const;
export type SecurityHubEventName = keyof typeof events;
export const SECURITY_HUB_EVENT_NAMES = Object.keys(events) as SecurityHubEventName[];

const texts = new Map<SecurityHubEventName, string>();

/** The event's file as text (what an SQS body carries). */
export function securityHubEventText(name: SecurityHubEventName): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`../events/securityhub/${events[name]}`, import.meta.url), 'utf8');
    texts.set(name, text);
  }
  return text;
}

/** A fresh copy of the event, free to mutate. */
export function loadSecurityHubEvent(name: SecurityHubEventName): SecurityHubEvent {
  return JSON.parse(securityHubEventText(name)) as SecurityHubEvent;
}

/** A fresh copy of the event's first (or only) finding, free to mutate. */
export function loadSecurityHubFinding(name: SecurityHubEventName): AsffFinding {
  const [finding] = loadSecurityHubEvent(name).detail.findings;
  if (finding === undefined) throw new Error(`the event ${name} carries no finding`);
  return finding;
}

/** An event carrying the given findings, in the envelope of `name`. */
export function eventWith(
  findings: unknown[],
  name: SecurityHubEventName = 'ec2.18-consolidated',
): SecurityHubEvent {
  const event = loadSecurityHubEvent(name);
  event.detail.findings = findings as AsffFinding[];
  return event;
}
