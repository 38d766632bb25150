import * as z from 'zod';
import { compileOnFirstParse } from '../compileOnFirstParse.js';
import { ALERT_STATUSES } from '../constants.js';
import { isKnownRegionCode } from '../regions.js';
import { accountIdSchema, findingIdSchema, groupIdSchema, NON_EMPTY, OBJECT, STRING } from './fields.js';

/**
 * The parts of an Evident JSON:API alert that the hub reads, and nothing else: unknown fields pass,
 * and the informational `metadata` entry (Evident's copy of the group) is not validated at all.
 * Every check carries an `expected ...` message; `describeIssue` adds the field and the value.
 *
 * The schemas the parser runs are `z.compile`d, on their first parse: a valid alert takes a generated fast path
 * (the Lambda parses every alert of a batch); an invalid one falls back to zod's ordinary parser and its issues.
 */

const TIME = 'expected an ISO 8601 time or null';

const optionalTime = z.iso.datetime({ offset: true, error: TIME }).nullable().optional();

/** `data`: the alert itself. */
const alertData = z.object(
  {
    id: findingIdSchema,
    type: z.literal('alerts', { error: 'expected "alerts"' }).optional(),
    attributes: z.object(
      {
        status: z.enum(ALERT_STATUSES, { error: `expected one of ${ALERT_STATUSES.join(', ')}` }),
        resource: groupIdSchema,
        risk_level: z.string({ error: 'expected a string or null' }).nullable().optional(),
        created_at: optionalTime,
        started_at: optionalTime,
        updated_at: optionalTime,
      },
      { error: OBJECT },
    ),
  },
  { error: OBJECT },
);

/** The document: `data` and the `included` list, whose entries the parser picks out by type. */
export const alertDocumentSchema = compileOnFirstParse(
  z.object(
    { data: alertData, included: z.array(z.unknown(), { error: 'expected an array' }) },
    { error: 'expected a JSON:API document (an object)' },
  ),
);

/** `arn:<partition>:iam::<12 digits>:<resource>`; group 2 is the account. */
export const IAM_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):\S+$/;

/** An `included` entry of which only `attributes` is read. */
const includedEntry = <T extends z.core.$ZodLooseShape>(attributes: T) =>
  compileOnFirstParse(z.object({ attributes: z.object(attributes, { error: OBJECT }) }, { error: OBJECT }));

/** The type of each `included` entry the hub needs (exactly one of each), with its schema. */
export const INCLUDED_SCHEMAS = {
  external_accounts: includedEntry({
    account: accountIdSchema,
    arn: z
      .string({ error: 'expected an IAM ARN' })
      .regex(IAM_ARN, { error: 'expected an IAM ARN arn:<partition>:iam::<12 digits>:<resource>' }),
  }),
  regions: includedEntry({
    code: z
      .string({ error: STRING })
      .refine(isKnownRegionCode, { error: 'expected an AWS region code such as ap_northeast_1' }),
  }),
  signatures: includedEntry({
    identifier: z.string({ error: STRING }).min(1, { error: NON_EMPTY }),
    name: z.string({ error: STRING }),
  }),
} as const;
export type IncludedType = keyof typeof INCLUDED_SCHEMAS;
