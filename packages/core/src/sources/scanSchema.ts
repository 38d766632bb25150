import * as z from 'zod';
import { compileOnFirstParse } from '../compileOnFirstParse.js';
import { accountIdSchema, controlIdSchema, groupIdSchema, regionSchema, STRING } from './fields.js';

/**
 * A finding of `remediation-hub scan --remediate`: the hub's own message for an exposure its scan found (one
 * group, one control), sent to the hub queue so that it takes the path of every alert. Versioned by its marker.
 */
export const SCAN_FINDING_MARKER = 'remediation-hub/scan-finding';
export const SCAN_FINDING_VERSION = 1;

/** A rule as a scan names it: `tcp 22-22 0.0.0.0/0` (protocol, ports, one world CIDR). */
const RULE = /^[a-z0-9-]{1,16} -?\d{1,5}--?\d{1,5} (0\.0\.0\.0\/0|::\/0)$|^-1 all (0\.0\.0\.0\/0|::\/0)$/;

const MAX_EPISODE = 9_999;
const TIME = 'expected an ISO 8601 time such as 2027-03-31T12:00:00.000Z';

export const scanFindingSchema = compileOnFirstParse(
  z.object(
    {
      [SCAN_FINDING_MARKER]: z.literal(SCAN_FINDING_VERSION, { error: `expected ${SCAN_FINDING_VERSION}` }),
      accountId: accountIdSchema,
      region: regionSchema,
      groupId: groupIdSchema,
      ownerId: accountIdSchema.nullish(),
      control: controlIdSchema,
      controlName: z.string({ error: STRING }).max(256, { error: 'expected at most 256 characters' }),
      exposure: z
        .array(
          z.string({ error: STRING }).regex(RULE, { error: 'expected a rule such as "tcp 22-22 0.0.0.0/0"' }),
          {
            error: 'expected a list of rules',
          },
        )
        .min(1, { error: 'expected at least one rule' })
        .max(1000, { error: 'expected at most 1,000 rules' }),
      episode: z
        .number({ error: 'expected a whole number from 1' })
        .int({ error: 'expected a whole number from 1' })
        .min(1, { error: 'expected a whole number from 1' })
        .max(MAX_EPISODE, { error: `expected at most ${MAX_EPISODE}` }),
      scannedAt: z.iso.datetime({ offset: true, error: TIME }),
    },
    { error: 'expected a scan finding (an object)' },
  ),
);
export type ScanFindingDocument = z.output<typeof scanFindingSchema>;
