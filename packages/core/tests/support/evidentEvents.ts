import { readFileSync } from 'node:fs';

/** The parts of an Evident JSON:API alert that tests read and mutate; the rest is kept as it came. */
export interface EvidentAlertDocument {
  data: {
    id: unknown;
    type?: unknown;
    attributes: Record<string, unknown>;
    [key: string]: unknown;
  };
  included: Array<{ id: string; type: string; attributes: Record<string, unknown>; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface SnsEnvelope {
  Type: unknown;
  Message: unknown;
  [key: string]: unknown;
}

const events = {
  'evident-ec2-002-fail': 'evident-ec2-002-fail.json',
  'evident-ec2-002-fail.sns-envelope': 'evident-ec2-002-fail.sns-envelope.json',
} as const;
type EventName = keyof typeof events;

const texts = new Map<EventName, string>();

/** The event's file as text (what an SQS body carries). */
export function evidentEventText(name: EventName): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`../events/evident/${events[name]}`, import.meta.url), 'utf8');
    texts.set(name, text);
  }
  return text;
}

/** A fresh copy of the sample alert, free to mutate. */
export function loadSampleAlert(): EvidentAlertDocument {
  return structuredClone(JSON.parse(evidentEventText('evident-ec2-002-fail')) as EvidentAlertDocument);
}

/** A fresh copy of the sample SNS envelope, free to mutate. */
export function loadSampleEnvelope(): SnsEnvelope {
  return structuredClone(JSON.parse(evidentEventText('evident-ec2-002-fail.sns-envelope')) as SnsEnvelope);
}

/** The `included` entry of a type; fails the test when the sample has none. */
export function includedEntry(
  document: EvidentAlertDocument,
  type: string,
): EvidentAlertDocument['included'][number] {
  const entry = document.included.find((candidate) => candidate.type === type);
  if (entry === undefined) throw new Error(`the sample alert has no included entry of type ${type}`);
  return entry;
}
