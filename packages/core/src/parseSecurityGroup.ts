import * as z from 'zod';
import { parseOrFail } from './describeIssue.js';
import { MalformedSecurityGroupError } from './errors.js';
import type { SecurityGroup } from './types.js';

/**
 * A security group in the EC2 SDK v3 shape, as `DescribeSecurityGroups` returns it. Structure only:
 * what the ports of a permission must be is the planner's check (`readPermission`). Unknown fields pass.
 */
const STRING = 'expected a string';
const NUMBER = 'expected an integer';
const OBJECT = 'expected an object';
const ARRAY = 'expected an array';

const optionalString = z.string({ error: STRING }).optional();
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: ARRAY }).optional();

const ipPermission = z.looseObject(
  {
    IpProtocol: optionalString,
    FromPort: z.int({ error: NUMBER }).optional(),
    ToPort: z.int({ error: NUMBER }).optional(),
    IpRanges: list(z.looseObject({ CidrIp: optionalString, Description: optionalString }, { error: OBJECT })),
    Ipv6Ranges: list(
      z.looseObject({ CidrIpv6: optionalString, Description: optionalString }, { error: OBJECT }),
    ),
    PrefixListIds: list(
      z.looseObject({ PrefixListId: optionalString, Description: optionalString }, { error: OBJECT }),
    ),
    UserIdGroupPairs: list(
      z.looseObject(
        {
          GroupId: optionalString,
          GroupName: optionalString,
          UserId: optionalString,
          VpcId: optionalString,
          VpcPeeringConnectionId: optionalString,
          PeeringStatus: optionalString,
          Description: optionalString,
        },
        { error: OBJECT },
      ),
    ),
  },
  { error: OBJECT },
);

const securityGroupSchema = z.looseObject(
  {
    GroupId: z
      .string({ error: STRING })
      .regex(/^sg-[0-9a-z]+$/, { error: 'expected a security group id (sg-...)' }),
    GroupName: optionalString,
    Description: optionalString,
    OwnerId: optionalString,
    VpcId: optionalString,
    IpPermissions: list(ipPermission),
    IpPermissionsEgress: list(ipPermission),
    Tags: list(z.looseObject({ Key: optionalString, Value: optionalString }, { error: OBJECT })),
  },
  { error: 'expected a security group (an object)' },
);

const describeOutputSchema = z.object({ SecurityGroups: z.array(z.unknown(), { error: ARRAY }) });

/**
 * Reads one security group from a JSON string or a parsed value: the group itself, or a whole
 * `DescribeSecurityGroups` output (`{ "SecurityGroups": [group] }`) holding exactly one group.
 * Anything else is a `MalformedSecurityGroupError` naming the field.
 */
export function parseSecurityGroup(input: unknown): SecurityGroup {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MalformedSecurityGroupError(`security group is not JSON: ${reason.replace(/\s+/g, ' ')}`, {
        cause: error,
      });
    }
  }
  let prefix = '';
  if (typeof value === 'object' && value !== null && 'SecurityGroups' in value) {
    const groups = check(describeOutputSchema, value, '').SecurityGroups;
    if (groups.length !== 1) {
      throw new MalformedSecurityGroupError(
        `SecurityGroups: expected exactly one group, got ${groups.length}`,
      );
    }
    value = groups[0];
    prefix = 'SecurityGroups[0]';
  }
  return check(securityGroupSchema, value, prefix);
}

function check<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.output<T> {
  return parseOrFail(schema, value, prefix, 'security group', (_field, message) => {
    throw new MalformedSecurityGroupError(message);
  });
}
