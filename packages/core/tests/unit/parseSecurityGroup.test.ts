import { describe, expect, it } from 'vitest';
import { MalformedSecurityGroupError, parseSecurityGroup, type SecurityGroup } from '../../src/index.js';
import { makeGroup, tcp } from '../support/factories.js';

const GROUP: SecurityGroup = makeGroup([tcp(22, 22, '0.0.0.0/0')], [{ Key: 'Name', Value: 'web' }]);

function messageFor(input: unknown): string {
  try {
    parseSecurityGroup(input);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedSecurityGroupError);
    return (error as Error).message;
  }
  throw new Error('expected a MalformedSecurityGroupError');
}

describe('parseSecurityGroup', () => {
  it('reads a group object', () => {
    expect(parseSecurityGroup(structuredClone(GROUP))).toEqual(GROUP);
  });

  it('reads a group from JSON text', () => {
    expect(parseSecurityGroup(JSON.stringify(GROUP))).toEqual(GROUP);
  });

  it('reads a DescribeSecurityGroups output with one group', () => {
    const output = { $metadata: { httpStatusCode: 200 }, SecurityGroups: [structuredClone(GROUP)] };
    expect(parseSecurityGroup(JSON.stringify(output))).toEqual(GROUP);
  });

  it('keeps fields it does not know', () => {
    const group = { ...structuredClone(GROUP), SecurityGroupArn: 'arn:aws:ec2:...' };
    expect(parseSecurityGroup(group)).toEqual(group);
  });

  it.each<[string, unknown, string]>([
    ['text that is not JSON', '{', 'security group is not JSON: '],
    ['a number', 5, 'security group: expected a security group (an object), got 5'],
    ['a group without GroupId', { IpPermissions: [] }, 'GroupId: expected a string, got nothing'],
    [
      'a group with another id',
      { GroupId: 'vpc-1' },
      'GroupId: expected a security group id (sg-...), got "vpc-1"',
    ],
    [
      'ports as strings',
      { GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: '22', ToPort: 22 }] },
      'IpPermissions[0].FromPort: expected an integer, got "22"',
    ],
    [
      'a CIDR that is not a string',
      {
        GroupId: 'sg-1',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: 0 }] }],
      },
      'IpPermissions[0].IpRanges[0].CidrIp: expected a string, got 0',
    ],
    [
      'permissions that are not a list',
      { GroupId: 'sg-1', IpPermissions: {} },
      'IpPermissions: expected an array, got {}',
    ],
    ['no groups', { SecurityGroups: [] }, 'SecurityGroups: expected exactly one group, got 0'],
    ['two groups', { SecurityGroups: [GROUP, GROUP] }, 'SecurityGroups: expected exactly one group, got 2'],
    [
      'groups that are not a list',
      { SecurityGroups: 'sg-1' },
      'SecurityGroups: expected an array, got "sg-1"',
    ],
    [
      'a malformed group inside the output',
      { SecurityGroups: [{ GroupId: 'sg-1', Tags: [{ Key: 1 }] }] },
      'SecurityGroups[0].Tags[0].Key: expected a string, got 1',
    ],
  ])('rejects %s', (_case, input, message) => {
    expect(messageFor(input).startsWith(message)).toBe(true);
  });
});
