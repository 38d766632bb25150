import * as z from 'zod';
import { compileOnFirstParse } from '../compileOnFirstParse.js';
import {
  accountIdSchema,
  controlIdSchema,
  findingIdSchema,
  groupIdSchema,
  OBJECT,
  regionSchema,
  STRING,
} from './fields.js';

/**
 * The parts of a Security Hub finding (AWS Security Finding Format, ASFF) and of its EventBridge event that the
 * hub reads, and nothing else: unknown fields pass, and `Resources[].Details` (Security Hub's copy of the group,
 * dropped from findings over 240 KB) is read only for the group id and owner it names. Every check carries an
 * `expected ...` message; `describeIssue` adds the field and the value. Compiled, as for Evident: the Lambda
 * parses every finding of a batch.
 *
 * Optional ASFF fields accept `null` too: findings copied from `get-findings` output or SDK dumps carry them.
 */

export const COMPLIANCE_STATUSES = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];
export const RECORD_STATES = ['ACTIVE', 'ARCHIVED'] as const;
export const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;

/** The detail-type of the events the hub reads (findings imported or updated). */
export const IMPORTED_DETAIL_TYPE = 'Security Hub Findings - Imported';
export const SECURITY_HUB_EVENT_SOURCE = 'aws.securityhub';

/**
 * An ASFF timestamp (the formats the ASFF documentation allows: seconds, up to 9 fractional digits, `Z` or an
 * offset), which also bounds its length: at most 35 characters, so `<status>#<UpdatedAt>` stays within 64 bytes.
 */
export const ASFF_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
const TIME = 'expected an ASFF timestamp such as 2021-08-09T15:54:36.197Z';
const time = z.string({ error: TIME }).regex(ASFF_TIME, { error: TIME });

/**
 * `arn:<partition>:ec2:<region>:<account>:security-group/<group id>`: group 1 is the partition, 2 the region,
 * 3 the account, 4 the group id.
 */
export const SECURITY_GROUP_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):ec2:([a-z0-9-]+):(\d{12}):security-group\/(sg-[0-9a-z]{1,64})$/;

/**
 * A Security Hub product ARN, `arn:<partition>:securityhub:<region>:<account, empty for AWS's own>:product/<company>/
 * <product>`: the write-back sends it back as it came, so only its shape and length are checked.
 */
export const PRODUCT_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z0-9-]+:(\d{12})?:product\/[\x21-\x7e]{1,400}$/;

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

/** One `SecurityControlParameter`: a name and its values, all strings (`["80", "443"]`). */
const controlParameter = z.object(
  {
    Name: z.string({ error: STRING }),
    Value: z.array(z.string({ error: STRING }), { error: 'expected an array of strings' }),
  },
  { error: OBJECT },
);

/** One ASFF finding. */
export const securityHubFindingSchema = compileOnFirstParse(
  z.object(
    {
      Id: findingIdSchema,
      ProductArn: z
        .string({ error: STRING })
        .regex(PRODUCT_ARN, {
          error:
            'expected a Security Hub product ARN arn:<partition>:securityhub:<region>:<account or empty>:product/...',
        })
        .nullish(),
      AwsAccountId: accountIdSchema,
      UpdatedAt: time,
      CreatedAt: time.nullish(),
      FirstObservedAt: time.nullish(),
      Title: z.string({ error: 'expected a string or null' }).nullish(),
      Severity: z
        .object({ Label: z.string({ error: 'expected a string or null' }).nullish() }, { error: OBJECT })
        .nullish(),
      Compliance: z.object(
        {
          Status: enumOf(COMPLIANCE_STATUSES),
          SecurityControlId: controlIdSchema.nullish(),
          SecurityControlParameters: z
            .array(controlParameter, { error: 'expected an array of {Name, Value}' })
            .nullish(),
        },
        { error: OBJECT },
      ),
      ProductFields: z
        .object(
          { ControlId: controlIdSchema.nullish(), RuleId: controlIdSchema.nullish() },
          { error: OBJECT },
        )
        .nullish(),
      RecordState: enumOf(RECORD_STATES),
      Workflow: z.object({ Status: enumOf(WORKFLOW_STATUSES) }, { error: OBJECT }).nullish(),
      Resources: z
        .array(z.unknown(), { error: 'expected an array' })
        .min(1, { error: 'expected at least one resource' }),
    },
    { error: 'expected an ASFF finding (an object)' },
  ),
);
export type SecurityHubFinding = z.output<typeof securityHubFindingSchema>;

/** The `AwsEc2SecurityGroup` entry of `Resources`. */
export const securityGroupResourceSchema = compileOnFirstParse(
  z.object(
    {
      Id: z.string({ error: STRING }).regex(SECURITY_GROUP_ARN, {
        error: 'expected a security group ARN arn:<partition>:ec2:<region>:<12 digits>:security-group/sg-...',
      }),
      Region: regionSchema.nullish(),
      Details: z
        .object(
          {
            AwsEc2SecurityGroup: z
              .object(
                { GroupId: groupIdSchema.nullish(), OwnerId: accountIdSchema.nullish() },
                { error: OBJECT },
              )
              .nullish(),
          },
          { error: OBJECT },
        )
        .nullish(),
    },
    { error: OBJECT },
  ),
);

/** The EventBridge event: only what says it is Security Hub's, and its findings. Never its `account` or `resources`. */
export const securityHubEventSchema = compileOnFirstParse(
  z.object(
    {
      source: z.literal(SECURITY_HUB_EVENT_SOURCE, { error: `expected "${SECURITY_HUB_EVENT_SOURCE}"` }),
      'detail-type': z.literal(IMPORTED_DETAIL_TYPE, { error: `expected "${IMPORTED_DETAIL_TYPE}"` }),
      detail: z.object(
        {
          findings: z
            .array(z.unknown(), { error: 'expected an array of findings' })
            .min(1, { error: 'expected at least one finding' }),
        },
        { error: OBJECT },
      ),
    },
    { error: 'expected an EventBridge event (an object)' },
  ),
);
