/**
 * The SDK-only replay's request mapping (pure): a request the recording proxy saw, back into the SDK command
 * input that produced it, so that a client without any of the hub's logic can send exactly the same call with the
 * same SDK client. Query-protocol bodies (STS, EC2, SNS) are form parameters flattened from the input; JSON bodies
 * (DynamoDB, SQS) are the low-level input itself, and DynamoDB's is turned back into what the document client
 * takes (plain values), because the hub writes through the document client and its marshalling is SDK work.
 * Unit-tested against the SDK's own serializers (tests/unit/benchHarness).
 */

/** The clients a replay sends through, as the hub has them. */
export type ReplayClient = 'sts' | 'ec2' | 'dynamodb' | 'sns' | 'sqs';

export interface ReplayCall {
  client: ReplayClient;
  /** The API action (`PutItem`, `RevokeSecurityGroupIngress`); for DynamoDB, sent as the document client's command. */
  action: string;
  input: Record<string, unknown>;
}

/** What the replay needs of a recorded request (the recording proxy's `RecordedRequest` has it). */
export interface RecordedCall {
  service?: string | undefined;
  action?: string | undefined;
  params: Record<string, string>;
  body: string;
}

const QUERY_SERVICES = new Set(['sts', 'ec2', 'sns']);
const JSON_SERVICES = new Set(['dynamodb', 'sqs']);
/** Query parameters that carry numbers (the SDK's inputs take numbers there). */
const NUMERIC = new Set(['FromPort', 'ToPort', 'DurationSeconds', 'MaxResults']);

export function toReplayCall(request: RecordedCall): ReplayCall {
  const { service, action } = request;
  if (service === undefined || action === undefined) {
    throw new Error(`cannot replay a request without service and action: ${request.body.slice(0, 80)}`);
  }
  if (QUERY_SERVICES.has(service)) {
    const nested = nestQueryParams(request.params);
    const input =
      service === 'ec2'
        ? ec2Input(nested)
        : service === 'sns'
          ? snsInput(nested)
          : (nested as Record<string, unknown>);
    return { client: service as ReplayClient, action, input };
  }
  if (JSON_SERVICES.has(service)) {
    const body = JSON.parse(request.body) as Record<string, unknown>;
    return {
      client: service as ReplayClient,
      action,
      input: service === 'dynamodb' ? documentInput(body) : body,
    };
  }
  throw new Error(`cannot replay ${service}:${action}`);
}

type Nested = { [key: string]: Nested | Nested[] | string | number };

/**
 * `a.1.b=x&a.2.b=y&c=z` → `{ a: [{ b: 'x' }, { b: 'y' }], c: 'z' }`: numeric segments are 1-based list positions
 * (the query protocol's flattened lists), `Action` and `Version` dropped, numeric members (ports, durations) as numbers.
 */
export function nestQueryParams(params: Record<string, string>): Nested {
  const root: Nested = {};
  for (const [key, raw] of Object.entries(params)) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    const leaf = path.at(-1) as string;
    const value = NUMERIC.has(leaf) ? Number(raw) : raw;
    let at: Nested | Nested[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[i + 1] as string);
      if (Array.isArray(at)) {
        const index = Number(segment) - 1;
        const list = at as unknown[];
        if (last) list[index] = value;
        else {
          if (list[index] === undefined) list[index] = nextIsIndex ? [] : {};
          at = list[index] as Nested | Nested[];
        }
      } else if (last) {
        at[segment] = value;
      } else {
        if (at[segment] === undefined) at[segment] = nextIsIndex ? [] : {};
        at = at[segment] as Nested | Nested[];
      }
    });
  }
  return root;
}

/** EC2's query names for its lists (`GroupId.1`, `IpPermissions.1.Groups.1`) back to the SDK's member names. */
function ec2Input(nested: Nested): Record<string, unknown> {
  const input: Record<string, unknown> = { ...nested };
  const rename = (from: string, to: string) => {
    if (Array.isArray(input[from])) {
      input[to] = input[from];
      delete input[from];
    }
  };
  rename('GroupId', 'GroupIds');
  rename('GroupName', 'GroupNames');
  if (Array.isArray(input.Filter)) {
    input.Filters = (input.Filter as Nested[]).map(({ Value, ...rest }) => ({ ...rest, Values: Value }));
    delete input.Filter;
  }
  if (Array.isArray(input.IpPermissions)) {
    input.IpPermissions = (input.IpPermissions as Nested[]).map(({ Groups, ...rest }) =>
      Groups === undefined ? rest : { ...rest, UserIdGroupPairs: Groups },
    );
  }
  return input;
}

/** SNS's `MessageAttributes.entry.N.Name` / `.Value.*` back to the SDK's map of attributes. */
function snsInput(nested: Nested): Record<string, unknown> {
  const { MessageAttributes, ...rest } = nested;
  if (MessageAttributes === undefined) return rest;
  const entries = ((MessageAttributes as Nested).entry ?? []) as Nested[];
  return {
    ...rest,
    MessageAttributes: Object.fromEntries(entries.map((e) => [e.Name as string, e.Value])),
  };
}

/** The members of DynamoDB inputs that hold attribute values, which the document client takes as plain values. */
const ITEM_MEMBERS = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

function documentInput(body: Record<string, unknown>): Record<string, unknown> {
  const input = { ...body };
  for (const member of ITEM_MEMBERS) {
    if (input[member] !== undefined)
      input[member] = fromItem(input[member] as Record<string, AttributeValue>);
  }
  // A transaction's items (`{ Put: { Item, ... } }`, `{ Update: { Key, ... } }`, ...) hold attribute values too.
  if (Array.isArray(input.TransactItems)) {
    input.TransactItems = (input.TransactItems as Array<Record<string, Record<string, unknown>>>).map(
      (item) =>
        Object.fromEntries(Object.entries(item).map(([kind, member]) => [kind, documentInput(member)])),
    );
  }
  return input;
}

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] };

/** A DynamoDB item (attribute values) as plain values, as the document client would have been given it. */
export function fromItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromAttributeValue(value)]));
}

export function fromAttributeValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return exactNumber(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return fromItem(value.M);
  if ('L' in value) return value.L.map(fromAttributeValue);
  if ('SS' in value) return new Set(value.SS);
  if ('NS' in value) return new Set(value.NS.map(exactNumber));
  throw new Error(`cannot replay the attribute value ${JSON.stringify(value)}`);
}

/** A DynamoDB number as a JS number, refused when that would not marshal back to the same text. */
function exactNumber(text: string): number {
  const n = Number(text);
  if (String(n) !== text) throw new Error(`the number ${text} would not replay as sent`);
  return n;
}
