import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, inject, it } from 'vitest';
import { accountClients, emulatorEndpoint, HUB_ACCOUNT_ID, hubClients } from '../../src/index.js';

describe('the embedded emulator', () => {
  it('is the endpoint the global setup provided, over real HTTP on loopback', () => {
    expect(emulatorEndpoint()).toBe(inject('awsEndpoint'));
    expect(new URL(emulatorEndpoint()).hostname).toBe('127.0.0.1');
  });

  it('serves STS: hub credentials act in the hub account, assumed ones in the member account', async () => {
    const hub = hubClients();
    const member = await accountClients('111111111101');
    const hubIdentity = await hub.sts.send(new GetCallerIdentityCommand({}));
    const memberIdentity = await member.sts.send(new GetCallerIdentityCommand({}));
    expect(hubIdentity.Account).toBe(HUB_ACCOUNT_ID);
    expect(memberIdentity.Account).toBe('111111111101');
    expect(memberIdentity.Arn).toContain('assumed-role/OrganizationAccountAccessRole');
  });

  it('serves EC2, SQS, SNS and DynamoDB to SDK v3 clients', async () => {
    const { ec2, sqs, sns, dynamodb } = await accountClients('111111111102', 'eu-west-1');
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.length).toBeGreaterThan(0);

    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'testkit-clients' }));
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'testkit-clients' }));
    expect(found.QueueUrl).toBe(queue.QueueUrl);

    const topic = await sns.send(new CreateTopicCommand({ Name: 'testkit-clients' }));
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic.TopicArn }));
    expect(attributes.Attributes?.TopicArn).toBe('arn:aws:sns:eu-west-1:111111111102:testkit-clients');

    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'testkit-clients',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: 'testkit-clients' }));
    expect(table.Table?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:111111111102:table/testkit-clients');
  });
});

describe('account isolation', () => {
  it('keeps a security group created in 111111111111 invisible to 222222222222 and to the hub', async () => {
    const owner = await accountClients('111111111111', 'ap-northeast-1');
    const other = await accountClients('222222222222', 'ap-northeast-1');
    const hub = hubClients('ap-northeast-1');
    const created = await owner.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'testkit-isolation', Description: 'isolation probe' }),
    );
    const groupId = created.GroupId;
    expect(groupId).toMatch(/^sg-/);

    const seenByOwner = await owner.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId as string] }),
    );
    expect(seenByOwner.SecurityGroups?.[0]?.OwnerId).toBe('111111111111');

    for (const outsider of [other, hub]) {
      await expect(
        outsider.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId as string] })),
      ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
      const all = await outsider.ec2.send(new DescribeSecurityGroupsCommand({}));
      expect(all.SecurityGroups?.map((g) => g.GroupId)).not.toContain(groupId);
    }
  });
});
