import { describe, expect, it } from 'vitest';
import { attributeCalls } from '../../bench/harness/attribute.js';
import { commandLine, parseBenchOptions } from '../../bench/harness/options.js';
import { nestQueryParams, type RecordedCall, toReplayCall } from '../../bench/harness/replayCall.js';
import { substitute } from '../../bench/harness/replayClient.js';
import { overheadShare, percentile, sustainedRate, tally } from '../../bench/harness/stats.js';

describe('bench harness: stats', () => {
  it('takes percentiles by nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('tallies calls by service and action, and the overhead share', () => {
    const counts = tally([
      { service: 'ec2', action: 'Revoke' },
      { service: 'dynamodb', action: 'PutItem' },
      { service: 'dynamodb', action: 'PutItem' },
    ]);
    expect([...counts]).toEqual([
      ['dynamodb:PutItem', 2],
      ['ec2:Revoke', 1],
    ]);
    expect(overheadShare(10.5, 10)).toBeCloseTo(0.05, 9);
  });

  it('gives the refill rate past the burst, and nothing within it', () => {
    expect(sustainedRate([0, 100, 200], 3)).toBeUndefined();
    // 50 at once, then 5 a second for 10 seconds.
    const times = [
      ...Array.from({ length: 50 }, () => 0),
      ...Array.from({ length: 50 }, (_, i) => (i + 1) * 200),
    ];
    expect(sustainedRate(times, 50)).toBeCloseTo(5, 9);
  });
});

describe('bench harness: options', () => {
  it('reads sizes, takes the `--` pnpm passes on, and writes the command back', () => {
    const options = parseBenchOptions(['--', '--alerts', '12', '--accounts', '3', '--parts', 'e2e']);
    expect(options).toMatchObject({ alerts: 12, accounts: 3, warmup: 100, parts: ['e2e'] });
    expect(parseBenchOptions(commandLine(options).split(' ').slice(2))).toEqual(options);
  });

  it('has smaller defaults with --quick, and refuses what it cannot run', () => {
    expect(parseBenchOptions(['--quick']).alerts).toBeLessThan(parseBenchOptions([]).alerts);
    expect(() => parseBenchOptions(['--concurrency', '11'])).toThrow(RangeError);
    expect(() => parseBenchOptions(['--parts', 'nope'])).toThrow(RangeError);
  });
});

describe('bench harness: replaying recorded calls', () => {
  it('nests query parameters into SDK inputs', () => {
    expect(
      nestQueryParams({
        Action: 'X',
        'GroupId.1': 'sg-1',
        'IpPermissions.1.FromPort': '22',
        'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
      }),
    ).toEqual({ GroupId: ['sg-1'], IpPermissions: [{ FromPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    const revoke = toReplayCall({
      service: 'ec2',
      action: 'DescribeSecurityGroups',
      params: { Action: 'DescribeSecurityGroups', 'GroupId.1': 'sg-1' },
      body: '',
    });
    expect(revoke).toEqual({
      client: 'ec2',
      action: 'DescribeSecurityGroups',
      input: { GroupIds: ['sg-1'] },
    });
  });

  it('turns DynamoDB attribute values back into what the document client takes', () => {
    const call = toReplayCall({
      service: 'dynamodb',
      action: 'PutItem',
      params: {},
      body: JSON.stringify({
        TableName: 't',
        Item: { pk: { S: 'a' }, n: { N: '3' }, m: { M: { b: { BOOL: true } } } },
      }),
    });
    expect(call.input).toEqual({ TableName: 't', Item: { pk: 'a', n: 3, m: { b: true } } });
  });

  it('turns the items of a transaction into plain values too', () => {
    const call = toReplayCall({
      service: 'dynamodb',
      action: 'TransactWriteItems',
      params: {},
      body: JSON.stringify({
        TransactItems: [
          { Put: { TableName: 't', Item: { pk: { S: 'a' } } } },
          {
            Update: {
              TableName: 't',
              Key: { pk: { S: 'b' } },
              ExpressionAttributeValues: { ':n': { N: '1' } },
            },
          },
        ],
      }),
    });
    expect(call.input).toEqual({
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'a' } } },
        { Update: { TableName: 't', Key: { pk: 'b' }, ExpressionAttributeValues: { ':n': 1 } } },
      ],
    });
  });

  it('substitutes twin ids in bodies and parameters', () => {
    const twin = substitute(
      { params: { 'GroupId.1': 'sg-0aaaaaaaa' }, body: '{"id":"e2e-1-abcdef"}' },
      new Map([
        ['sg-0aaaaaaaa', 'sg-0bbbbbbbb'],
        ['e2e-1-abcdef', 'e2e-2-fedcba'],
      ]),
    );
    expect(twin).toEqual({ params: { 'GroupId.1': 'sg-0bbbbbbbb' }, body: '{"id":"e2e-2-fedcba"}' });
  });

  it('attributes calls to alerts, AssumeRole to accounts, and keeps the rest apart', () => {
    const calls: RecordedCall[] = [
      {
        service: 'sts',
        action: 'AssumeRole',
        params: { RoleArn: 'arn:aws:iam::111111111111:role/x' },
        body: '',
      },
      { service: 'dynamodb', action: 'PutItem', params: {}, body: '{"alertId":{"S":"e2e-1-abcdef"}}' },
      { service: 'ec2', action: 'RevokeSecurityGroupIngress', params: {}, body: 'GroupId=sg-0aaaaaaaa' },
      { service: 'sqs', action: 'ReceiveMessage', params: {}, body: '{}' },
      { service: 'dynamodb', action: 'Query', params: {}, body: '{}' },
    ];
    const result = attributeCalls(calls, {
      alertIds: /e2e-[0-9a-z]+-[0-9a-f]{6}/,
      alertOfGroup: new Map([['sg-0aaaaaaaa', 'e2e-1-abcdef']]),
    });
    expect(result.byAlert.get('e2e-1-abcdef')?.map((c) => c.action)).toEqual([
      'PutItem',
      'RevokeSecurityGroupIngress',
    ]);
    expect([...result.assumeRoles.keys()]).toEqual(['111111111111']);
    expect(result.sqs).toHaveLength(1);
    expect(result.other).toHaveLength(1);
  });
});
