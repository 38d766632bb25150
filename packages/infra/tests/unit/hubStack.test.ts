import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_REGISTRY_TABLE, HUB_SETTINGS, HUB_VARIABLES, LEDGER_TABLE } from '@remediation-hub/core';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, memberRoleArnPattern, STACK_NAMES } from '../../lib/config.js';
import { LEDGER_ACTIONS, ORGANIZATIONS_READ_ACTIONS } from '../../lib/constructs/HubFunction.js';
import { EVIDENT_ACCOUNT_ID } from '../../lib/stacks/HubStack.js';
import {
  assemblyDir,
  onlyResource,
  readTemplate,
  stripAssetHashes,
  templateOf,
} from '../support/assembly.js';
import { resolveConditions } from '../support/resolveConditions.js';

const template = templateOf(STACK_NAMES.hub);
const json = readTemplate(STACK_NAMES.hub);

const publisherRole = onlyResource(json, 'AWS::IAM::Role', (p) => p.RoleName === undefined);
const hubRole = onlyResource(json, 'AWS::IAM::Role', (p) => p.RoleName === DEFAULT_CONFIG.hubRoleName);
const evidentTopic = onlyResource(json, 'AWS::SNS::Topic', (p) => String(p.DisplayName).includes('Evident'));
const alarmTopic = onlyResource(json, 'AWS::SNS::Topic', (p) => String(p.DisplayName).includes('alarms'));
const queue = onlyResource(json, 'AWS::SQS::Queue', (p) => p.RedrivePolicy !== undefined);
const deadLetterQueue = onlyResource(json, 'AWS::SQS::Queue', (p) => p.RedrivePolicy === undefined);
const hubFunction = onlyResource(json, 'AWS::Lambda::Function');
const table = onlyResource(json, 'AWS::DynamoDB::Table', (p) => p.TimeToLiveSpecification !== undefined);
const registryTable = onlyResource(
  json,
  'AWS::DynamoDB::Table',
  (p) => p.TimeToLiveSpecification === undefined,
);

const ref = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('HubStack: the Evident publisher', () => {
  it("trusts Evident's account (a parameter defaulting to 613698206329) only with the external id", () => {
    expect(json.Parameters?.EvidentAccountId?.Default).toBe(EVIDENT_ACCOUNT_ID);
    expect(json.Parameters?.EvidentExternalId?.NoEcho).toBe(true);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', ref('EvidentAccountId'), ':root']],
              },
            },
            Condition: { StringEquals: { 'sts:ExternalId': ref('EvidentExternalId') } },
          },
        ],
      },
    });
  });

  it('may only sns:Publish to the topic', () => {
    expect(publisherRole.properties.ManagedPolicyArns).toBeUndefined();
    expect(publisherRole.properties.Policies).toEqual([
      {
        PolicyName: 'PublishAlerts',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'PublishToTheHubTopicOnly',
              Action: 'sns:Publish',
              Effect: 'Allow',
              Resource: ref(evidentTopic.logicalId),
            },
          ],
        },
      },
    ]);
    const attached = Object.values(json.Resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties?.Roles).includes(publisherRole.logicalId),
    );
    expect(attached).toEqual([]);
  });
});

describe('HubStack: the topic', () => {
  it('is encrypted with the AWS managed SNS key', () => {
    expect(evidentTopic.properties.KmsMasterKeyId).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          ref('AWS::Partition'),
          ':kms:',
          ref('AWS::Region'),
          ':',
          ref('AWS::AccountId'),
          ':alias/aws/sns',
        ],
      ],
    });
  });

  it('lets the publisher role, and nobody else, publish, over TLS only', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(evidentTopic.logicalId)],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: ref(evidentTopic.logicalId),
          },
          {
            Sid: 'EvidentPublisherRoleOnly',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { AWS: arnOf(publisherRole.logicalId) },
            Resource: ref(evidentTopic.logicalId),
          },
        ],
      },
    });
  });

  it('delivers raw messages to the queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: ref(evidentTopic.logicalId),
      Endpoint: arnOf(queue.logicalId),
      RawMessageDelivery: true,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue.logicalId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': ref(evidentTopic.logicalId) } },
          }),
        ]),
      },
    });
  });
});

describe('HubStack: the queues', () => {
  it('encrypts both queues and refuses requests without TLS', () => {
    for (const q of [queue, deadLetterQueue]) {
      expect(q.properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(q.logicalId)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('redrives to the dead-letter queue after MaxReceiveCount receives', () => {
    expect(queue.properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(deadLetterQueue.logicalId),
      maxReceiveCount: ref('MaxReceiveCount'),
    });
    expect(json.Parameters?.MaxReceiveCount).toMatchObject({
      Type: 'Number',
      Default: DEFAULT_CONFIG.defaultMaxReceiveCount,
    });
  });

  it('keeps dead letters 14 days, longer than the queue keeps messages', () => {
    expect(deadLetterQueue.properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(Number(queue.properties.MessageRetentionPeriod)).toBeLessThan(14 * 24 * 3600);
  });

  it('gives a claim lease longer than the function may run, so no lease expires under a live invocation', () => {
    const timeout = Number(hubFunction.properties.Timeout);
    const lease = Number(
      (hubFunction.properties.Environment as { Variables: Record<string, string> }).Variables.LEASE_SECONDS,
    );
    expect(lease).toBeGreaterThan(timeout);
  });

  it('hides a message for at least six times the function timeout', () => {
    const timeout = Number(hubFunction.properties.Timeout);
    expect(timeout).toBe(DEFAULT_CONFIG.functionTimeoutSeconds);
    expect(Number(queue.properties.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
  });
});

describe('HubStack: the hub function', () => {
  it('runs the bundled handler on Node.js, arm64, with reserved concurrency', () => {
    expect(hubFunction.properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: DEFAULT_CONFIG.reservedConcurrency,
      Role: arnOf(hubRole.logicalId),
    });
  });

  /** The bundled handler's folder in the assembly. */
  const bundleFolder = () => {
    const key = JSON.stringify(hubFunction.properties.Code).match(/([0-9a-f]{64})\.zip/)?.[1];
    expect(key).toBeDefined();
    return join(assemblyDir(), `asset.${key}`);
  };

  it('is an ESM, minified esbuild bundle with a source map and a require() for CommonJS dependencies', () => {
    const folder = bundleFolder();
    const code = readFileSync(join(folder, 'index.mjs'), 'utf8');
    expect(existsSync(join(folder, 'index.mjs.map'))).toBe(true);
    expect(code.startsWith("import { createRequire as __rhCreateRequire } from 'node:module';")).toBe(true);
    // Minified: very long lines (only template literals and legal comments keep their line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2_000);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
  });

  it('keeps class names through minification (esbuild keepNames), for stack traces and constructor.name', () => {
    const code = readFileSync(join(bundleFolder(), 'index.mjs'), 'utf8');
    // esbuild names each class in a static block, `static{__name(this,"Name")}`, its helper renamed too.
    for (const name of ['StsCredentialsCache', 'Ec2SecurityGroupGateway', 'DynamoDbLedger']) {
      expect(code).toMatch(new RegExp(`static\\{[\\w$]+\\(this,\\s*"${name}"\\)\\}`));
    }
  });

  it('gets every setting the handler reads from its environment', () => {
    expect(hubFunction.properties.Environment).toEqual({
      Variables: {
        LEDGER_TABLE: ref(table.logicalId),
        MEMBER_ROLE_NAME: DEFAULT_CONFIG.memberRoleName,
        MEMBER_ROLE_PATH: DEFAULT_CONFIG.memberRolePath,
        MEMBER_EXTERNAL_ID: ref('MemberExternalId'),
        ALLOWED_ACCOUNTS: ref('AllowedAccounts'),
        REMEDIATION_MODE: ref('RemediationMode'),
        DRY_RUN_ACCOUNTS: ref('DryRunAccounts'),
        STRATEGY: ref('Strategy'),
        EXEMPT_TAG_KEY: ref('ExemptTagKey'),
        LOG_LEVEL: ref('LogLevel'),
        LEASE_SECONDS: String(DEFAULT_CONFIG.functionTimeoutSeconds + 60),
        ALLOWED_OUS: ref('AllowedOrganizationalUnits'),
        DRY_RUN_OUS: ref('DryRunOrganizationalUnits'),
        ORGANIZATION_ID: ref('OrganizationId'),
        ACCOUNTS_CACHE_SECONDS: ref('AccountsCacheSeconds'),
        ACCOUNT_REGISTRY_TABLE: ref(registryTable.logicalId),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    expect(json.Parameters?.MemberExternalId?.NoEcho).toBe(true);
    expect(json.Parameters?.RemediationMode?.AllowedValues).toEqual(['remediate', 'dry-run']);
    expect(json.Parameters?.Strategy?.AllowedValues).toEqual(['revoke', 'narrow']);
  });

  it('sets only variables of the settings contract the handler reads, and every one it requires', () => {
    const variables = Object.keys(
      (hubFunction.properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    // NODE_OPTIONS is Node's own, not the hub's.
    const hubVariables = variables.filter((name) => name !== 'NODE_OPTIONS');
    expect(hubVariables.filter((name) => !HUB_VARIABLES.includes(name))).toEqual([]);
    const required = Object.values(HUB_SETTINGS)
      .filter((setting) => setting.required && !('setByLambda' in setting))
      .map((setting) => setting.variable);
    expect(required.filter((name) => !hubVariables.includes(name))).toEqual([]);
    // The ones Lambda sets itself are reserved: a stack that sets them fails to deploy.
    expect(hubVariables).not.toContain(HUB_SETTINGS.region.variable);
  });

  it('reads the queue with partial batch responses and a maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(queue.logicalId),
      FunctionName: ref(hubFunction.logicalId),
      BatchSize: DEFAULT_CONFIG.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULT_CONFIG.maxConcurrency },
    });
  });
});

describe('HubStack: the hub role', () => {
  it('has a known name and path, so member roles can trust it by aws:PrincipalArn', () => {
    expect(hubRole.properties).toMatchObject({
      RoleName: DEFAULT_CONFIG.hubRoleName,
      Path: DEFAULT_CONFIG.hubRolePath,
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
    });
    expect(hubRole.properties.ManagedPolicyArns).toBeUndefined();
    expect(hubRole.properties.Policies).toBeUndefined();
  });

  const policiesOfTheHubRole = () =>
    Object.entries(json.Resources).filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(hubRole.logicalId),
    );
  const assumePolicy = () => {
    const found = policiesOfTheHubRole().filter(
      ([, r]) => r.Properties?.PolicyName === 'AssumeTheMemberRoleInTheOrganization',
    );
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties?.PolicyDocument as { Statement: unknown[] };
  };

  it('otherwise touches only the hub: its queue, ledger, logs and a read of the registry index', () => {
    const policies = policiesOfTheHubRole();
    expect(policies).toHaveLength(2);
    const defaultPolicy = policies.find(
      ([, r]) => r.Properties?.PolicyName !== 'AssumeTheMemberRoleInTheOrganization',
    );
    const document = defaultPolicy?.[1].Properties?.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    const grants = statements.map((s) => [s.Action, s.Resource]);
    expect(grants).toEqual(
      expect.arrayContaining([
        [[...LEDGER_ACTIONS].sort(), arnOf(table.logicalId)],
        [
          'dynamodb:Query',
          {
            'Fn::Join': [
              '',
              [arnOf(registryTable.logicalId), `/index/${ACCOUNT_REGISTRY_TABLE.currentIndex.indexName}`],
            ],
          },
        ],
        [
          [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          arnOf(queue.logicalId),
        ],
        [
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          arnOf(onlyResource(json, 'AWS::Logs::LogGroup').logicalId),
        ],
      ]),
    );
    expect(grants).toHaveLength(5);
    // The registry's entries are read, never written, by the function (operators change them, audited, with the
    // CLI); the one item it writes is the shared OU membership, in a partition no account id can take.
    const onRegistry = statements.filter((st) =>
      JSON.stringify(st.Resource).includes(registryTable.logicalId),
    );
    expect(onRegistry.map((st) => [st.Action, st.Condition])).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [ACCOUNT_REGISTRY_TABLE.membership.partitionKey],
          },
        },
      ],
      ['dynamodb:Query', undefined],
    ]);
    expect(JSON.stringify(statements)).not.toContain('sts:AssumeRole');
    expect(
      statements.every(
        (s) => s.Effect === 'Allow' && s.NotAction === undefined && s.NotResource === undefined,
      ),
    ).toBe(true);
  });

  it('may assume the member role, by path and name, only inside the organisation and under its OUs', () => {
    const document = assumePolicy();
    const withParameters = (parameters: Record<string, string>) =>
      resolveConditions(json, parameters, document) as { Statement: Record<string, unknown>[] };
    const assume = (parameters: Record<string, string>) => withParameters(parameters).Statement[0];
    const base = {
      Sid: 'AssumeTheMemberRoleOnly',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: memberRoleArnPattern(DEFAULT_CONFIG),
    };
    expect(memberRoleArnPattern(DEFAULT_CONFIG)).toBe(
      'arn:*:iam::*:role/remediation-hub/RemediationHubMemberRole',
    );

    // With OUs: the organisation and, for each path, the unit and every unit below it.
    const paths = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/,o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/';
    expect(assume({ OrganizationId: 'o-a1b2c3d4e5', AllowedOrganizationalUnits: paths })).toEqual({
      ...base,
      Condition: {
        StringEquals: { 'aws:ResourceOrgID': ref('OrganizationId') },
        'ForAnyValue:StringLike': {
          'aws:ResourceOrgPaths': {
            'Fn::Split': [
              ',',
              {
                'Fn::Join': [
                  '',
                  [{ 'Fn::Join': ['*,', { 'Fn::Split': [',', ref('AllowedOrganizationalUnits')] }] }, '*'],
                ],
              },
            ],
          },
        },
      },
    });
    // What CloudFormation makes of those functions for the two paths.
    const appended = `${paths.split(',').join('*,')}*`.split(',');
    expect(appended).toEqual([
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*',
      'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*',
    ]);

    // An organisation without OUs (the registry, the allow-list): inside the organisation only.
    expect(assume({ OrganizationId: 'o-a1b2c3d4e5' })).toEqual({
      ...base,
      Condition: { StringEquals: { 'aws:ResourceOrgID': ref('OrganizationId') } },
    });
    // No organisation at all: no condition can hold, the hub's own account checks remain.
    expect(assume({})).toEqual(base);

    // Reading the OUs is granted only when there are OUs to read.
    expect(
      withParameters({ OrganizationId: 'o-a1b2c3d4e5', AllowedOrganizationalUnits: paths }).Statement[1],
    ).toEqual({
      Sid: 'ReadTheOrganizationalUnits',
      Effect: 'Allow',
      Action: [...ORGANIZATIONS_READ_ACTIONS],
      Resource: '*',
    });
    expect(withParameters({ OrganizationId: 'o-a1b2c3d4e5' }).Statement).toHaveLength(1);
  });

  it('refuses OUs without the organisation they belong to, and OU paths of the wrong shape', () => {
    expect(json.Rules?.OrganizationalUnitsNeedTheOrganization).toEqual({
      RuleCondition: { 'Fn::Not': [{ 'Fn::Equals': [ref('AllowedOrganizationalUnits'), ''] }] },
      Assertions: [
        {
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [ref('OrganizationId'), ''] }] },
          AssertDescription: expect.stringContaining('OrganizationId'),
        },
      ],
    });
    expect(json.Rules?.DryRunOrganizationalUnitsNeedAllowedOnes).toMatchObject({
      RuleCondition: { 'Fn::Not': [{ 'Fn::Equals': [ref('DryRunOrganizationalUnits'), ''] }] },
      Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Equals': [ref('AllowedOrganizationalUnits'), ''] }] } }],
    });
    const pattern = new RegExp(String(json.Parameters?.AllowedOrganizationalUnits?.AllowedPattern));
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/,o-a1b2c3d4e5/r-ab12/')).toBe(true);
    for (const bad of ['ou-ab12-11111111', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111', 'o-a1b2c3d4e5/r-ab12/*']) {
      expect(pattern.test(bad), bad).toBe(false);
    }
    // Empty by default: a deployment of the allow-list alone keeps working.
    expect(json.Parameters?.AllowedAccounts?.Default).toBe('');
  });
});

describe('HubStack: the ledger table', () => {
  const keySchema = (partition: string, sort: string) => [
    { AttributeName: partition, KeyType: 'HASH' },
    { AttributeName: sort, KeyType: 'RANGE' },
  ];

  it('has the keys and indexes of the shared definition', () => {
    expect(table.properties.KeySchema).toEqual(
      keySchema(LEDGER_TABLE.partitionKey.name, LEDGER_TABLE.sortKey.name),
    );
    expect(table.properties.GlobalSecondaryIndexes).toEqual(
      LEDGER_TABLE.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey.name, index.sortKey.name),
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const expectedAttributes = new Map<string, string>();
    for (const key of [
      LEDGER_TABLE.partitionKey,
      LEDGER_TABLE.sortKey,
      ...LEDGER_TABLE.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ]) {
      expectedAttributes.set(key.name, key.type);
    }
    const attributes = table.properties.AttributeDefinitions as {
      AttributeName: string;
      AttributeType: string;
    }[];
    expect(new Map(attributes.map((a) => [a.AttributeName, a.AttributeType]))).toEqual(expectedAttributes);
    expect(attributes).toHaveLength(expectedAttributes.size);
  });

  it('is on-demand, with point-in-time recovery, TTL, deletion protection, and retained', () => {
    expect(table.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: LEDGER_TABLE.ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.resource.DeletionPolicy).toBe('Retain');
  });
});

describe('HubStack: the alarms', () => {
  const alarmFor = (metricName: string, namespace: string) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Namespace: namespace,
      AlarmActions: [ref(alarmTopic.logicalId)],
      OKActions: [ref(alarmTopic.logicalId)],
    });

  it('watch the dead-letter queue depth, the oldest message, and function errors', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    alarmFor('ApproximateNumberOfMessagesVisible', 'AWS/SQS');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueue.logicalId, 'QueueName'] } }],
      Threshold: 1,
    });
    alarmFor('ApproximateAgeOfOldestMessage', 'AWS/SQS');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.logicalId, 'QueueName'] } }],
      Threshold: DEFAULT_CONFIG.oldestMessageAlarmSeconds,
    });
    alarmFor('Errors', 'AWS/Lambda');
  });

  it('notify an encrypted topic that CloudWatch of this account alone may publish to', () => {
    const key = onlyResource(json, 'AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
    expect(alarmTopic.properties.KmsMasterKeyId).toEqual(arnOf(key.logicalId));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(alarmTopic.logicalId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } }),
          }),
        ]),
      },
    });
  });
});

describe('HubStack: outputs', () => {
  it('names what the Evident integration and the StackSet need', () => {
    expect(Object.keys(json.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        'TopicArn',
        'PublisherRoleArn',
        'HubAccountId',
        'HubRoleArn',
        'LedgerTableName',
      ]),
    );
  });
});

describe('HubStack: snapshot', () => {
  it('matches, asset hashes aside', () => {
    expect(stripAssetHashes(json)).toMatchSnapshot();
  });
});
