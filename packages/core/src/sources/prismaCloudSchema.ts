import * as z from 'zod';
import { compileOnFirstParse } from '../compileOnFirstParse.js';
import {
  accountIdSchema,
  controlIdSchema,
  findingIdSchema,
  groupIdSchema,
  OBJECT,
  regionSchema,
} from './fields.js';

/**
 * The parts of a Prisma Cloud alert (the SQS message body its Amazon SQS integration sends: the alert itself,
 * no envelope) that the hub reads, and nothing else: unknown fields pass, and `resource.data` (Prisma's copy of
 * the group) is not read at all. Compiled, as for Evident.
 */

/** Alert states (Prisma Cloud's "View and Respond to Alerts"; `pending_resolution` from the v2 alert API). */
export const PRISMA_ALERT_STATUSES = [
  'open',
  'resolved',
  'dismissed',
  'snoozed',
  'pending_resolution',
] as const;

/** The test notification's markers: PER's handler drops `P-0`; `T-0` is its hand-made test event. */
export const TEST_ALERT_IDS: readonly string[] = ['T-0', 'P-0'];
export const TEST_SENDER = 'Test Notification';

/** Epoch milliseconds up to 9999-12-31, so that the ISO form is always 24 characters (`Finding.eventKey`). */
export const MAX_EPOCH_MS = 253_402_300_799_999;
const EPOCH = 'expected epoch milliseconds (an integer) or null';
const epochMs = z
  .number({ error: EPOCH })
  .int({ error: EPOCH })
  .min(0, { error: EPOCH })
  .max(MAX_EPOCH_MS, { error: EPOCH })
  .nullish();

const optionalString = z.string({ error: 'expected a string or null' }).nullish();

export const prismaCloudAlertSchema = compileOnFirstParse(
  z.object(
    {
      alertId: findingIdSchema,
      alertStatus: z.enum(PRISMA_ALERT_STATUSES, {
        error: `expected one of ${PRISMA_ALERT_STATUSES.join(', ')}`,
      }),
      cloudType: z.literal('aws', { error: 'expected "aws"' }).nullish(),
      accountId: accountIdSchema,
      resourceRegionId: regionSchema,
      resourceId: groupIdSchema,
      policyId: controlIdSchema,
      policyName: optionalString,
      severity: optionalString,
      firstSeen: epochMs,
      lastSeen: epochMs,
      resource: z.object({ accountId: accountIdSchema, regionId: regionSchema.nullish() }, { error: OBJECT }),
    },
    { error: 'expected a Prisma Cloud alert (an object)' },
  ),
);
