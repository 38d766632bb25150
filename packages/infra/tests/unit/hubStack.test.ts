import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACCOUNT_REGISTRY_TABLE,
  HUB_SETTINGS,
  HUB_VARIABLES,
  LEDGER_TABLE,
  PACING_TABLE,
  securityHubEventPattern,
} from '@remediation-hub/core';
import { HUB_METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '@remediation-hub/hub-handler';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, memberRoleArnPattern, STACK_NAMES } from '../../lib/config.js';
import { LEDGER_ACTIONS, ORGANIZATIONS_READ_ACTIONS } from '../../lib/constructs/HubFunction.js';
import { HUB_METRICS_NAMESPACE, HUB_METRICS_SERVICE } from '../../lib/constructs/hubMetrics.js';
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
const outcomeTopic = onlyResource(json, 'AWS::SNS::Topic', (p) => String(p.DisplayName).includes('outcome'));
const keyOf = (description: string) =>
  onlyResource(json, 'AWS::KMS::Key', (p) => p.Description === `remediation-hub ${description}`);
const queue = onlyResource(json, 'AWS::SQS::Queue', (p) => p.RedrivePolicy !== undefined);
const deadLetterQueue = onlyResource(json, 'AWS::SQS::Queue', (p) => p.RedrivePolicy === undefined);
const hubFunction = onlyResource(json, 'AWS::Lambda::Function');
const keyed = (name: string) => (p: Record<string, unknown>) =>
  JSON.stringify(p.KeySchema).includes(`"AttributeName":"${name}","KeyType":"HASH"`);
const table = onlyResource(json, 'AWS::DynamoDB::Table', keyed(LEDGER_TABLE.partitionKey.name));
const registryTable = onlyResource(
  json,
  'AWS::DynamoDB::Table',
  keyed(ACCOUNT_REGISTRY_TABLE.partitionKey.name),
);
const pacingTable = onlyResource(json, 'AWS::DynamoDB::Table', keyed(PACING_TABLE.partitionKey.name));

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
        SECURITY_HUB_WRITE_BACK: ref('SecurityHubWriteBack'),
        LEASE_SECONDS: String(DEFAULT_CONFIG.functionTimeoutSeconds + 60),
        DEAD_LETTER_QUEUE_URL: ref(deadLetterQueue.logicalId),
        OUTCOME_TOPIC_ARN: ref(outcomeTopic.logicalId),
        ALLOWED_OUS: ref('AllowedOrganizationalUnits'),
        DRY_RUN_OUS: ref('DryRunOrganizationalUnits'),
        ORGANIZATION_ID: ref('OrganizationId'),
        ACCOUNTS_CACHE_SECONDS: ref('AccountsCacheSeconds'),
        ACCOUNT_REGISTRY_TABLE: ref(registryTable.logicalId),
        PACING_TABLE: ref(pacingTable.logicalId),
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
        r.Type === 'AWS::IAM::Policy' &&
        // The Security Hub write-back's policy is its own, under a condition (below).
        r.Condition === undefined &&
        JSON.stringify(r.Properties?.Roles).includes(hubRole.logicalId),
    );
  const assumePolicy = () => {
    const found = policiesOfTheHubRole().filter(
      ([, r]) => r.Properties?.PolicyName === 'AssumeTheMemberRoleInTheOrganization',
    );
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties?.PolicyDocument as { Statement: unknown[] };
  };

  it('otherwise touches only the hub: its queues, ledger, pacing schedules, logs, outcome topic and a read of the registry', () => {
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
        // A claim of pacing slots is one conditional update; no read, no delete.
        ['dynamodb:UpdateItem', arnOf(pacingTable.logicalId)],
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
        // Only to put there, with its reason, a message not even its failure could be recorded for.
        ['sqs:SendMessage', arnOf(deadLetterQueue.logicalId)],
        ['sns:Publish', ref(outcomeTopic.logicalId)],
        [['kms:Decrypt', 'kms:GenerateDataKey'], arnOf(keyOf('outcome topic').logicalId)],
      ]),
    );
    expect(grants).toHaveLength(9);
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

    // Reading the OUs is granted only when there are OUs to read: a policy of its own, under a resource condition
    // (no AWS::NoValue in a statement list, which moto's CloudFormation keeps as a malformed statement).
    expect(
      withParameters({ OrganizationId: 'o-a1b2c3d4e5', AllowedOrganizationalUnits: paths }).Statement,
    ).toHaveLength(1);
    const [readOus, ...others] = Object.values(json.Resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('organizations:'),
    );
    expect(others).toEqual([]);
    expect(readOus?.Condition).toBe('HasOrganizationalUnits');
    expect(json.Conditions?.HasOrganizationalUnits).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [ref('AllowedOrganizationalUnits'), ''] }],
    });
    expect(readOus?.Properties).toMatchObject({
      PolicyName: 'ReadTheOrganizationalUnits',
      PolicyDocument: {
        Statement: [
          {
            Sid: 'ReadTheOrganizationalUnits',
            Effect: 'Allow',
            Action: [...ORGANIZATIONS_READ_ACTIONS],
            Resource: '*',
          },
        ],
      },
    });
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

describe('HubStack: Security Hub and Prisma Cloud', () => {
  const rule = onlyResource(json, 'AWS::Events::Rule');
  const queuePolicy = onlyResource(json, 'AWS::SQS::QueuePolicy', (p) =>
    JSON.stringify(p.Queues).includes(queue.logicalId),
  );
  const statements = (queuePolicy.properties.PolicyDocument as { Statement: Record<string, unknown>[] })
    .Statement;

  it("sends failed checks of the hub's controls from the default bus to the queue, with core's pattern", () => {
    expect(rule.properties).toEqual({
      Description: expect.any(String),
      EventPattern: securityHubEventPattern(),
      State: 'ENABLED',
      Targets: [{ Arn: arnOf(queue.logicalId), Id: 'Target0' }],
    });
    expect(rule.properties.EventBusName).toBeUndefined();
  });

  it('lets EventBridge send to the queue for this rule only (aws:SourceArn), nothing but SendMessage', () => {
    expect(statements).toContainEqual({
      Sid: 'SecurityHubRuleSends',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: arnOf(queue.logicalId),
      Condition: { ArnEquals: { 'aws:SourceArn': arnOf(rule.logicalId) } },
    });
    const fromEvents = statements.filter((s) => JSON.stringify(s).includes('events.amazonaws.com'));
    expect(fromEvents).toHaveLength(1);
  });

  it("lets Prisma Cloud's role send to the queue only when PrismaCloudRoleArn is given", () => {
    expect(json.Parameters?.PrismaCloudRoleArn).toMatchObject({ Type: 'String', Default: '' });
    const conditional = statements.filter((s) => 'Fn::If' in s);
    expect(conditional).toHaveLength(1);
    const [condition, statement, otherwise] = (conditional[0] as { 'Fn::If': unknown[] })['Fn::If'];
    expect(json.Conditions?.[condition as string]).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [ref('PrismaCloudRoleArn'), ''] }],
    });
    expect(statement).toEqual({
      Sid: 'PrismaCloudIntegrationSends',
      Effect: 'Allow',
      Principal: { AWS: ref('PrismaCloudRoleArn') },
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      Resource: arnOf(queue.logicalId),
    });
    expect(otherwise).toEqual(ref('AWS::NoValue'));
    // The parameter takes one exact role ARN or nothing.
    const pattern = new RegExp(String(json.Parameters?.PrismaCloudRoleArn?.AllowedPattern));
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/prisma/PrismaCloudSqs')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:role/*')).toBe(false);
    expect(pattern.test('*')).toBe(false);
  });

  it('may update Security Hub findings of this account and region only, never suppress or reopen one, and only with the write-back on', () => {
    expect(json.Parameters?.SecurityHubWriteBack).toMatchObject({
      Default: 'on',
      AllowedValues: ['on', 'off'],
    });
    const writeBack = onlyResource(json, 'AWS::IAM::Policy', (p) =>
      JSON.stringify(p).includes('securityhub:'),
    );
    expect(json.Conditions?.[writeBack.resource.Condition as string]).toEqual({
      'Fn::Equals': [ref('SecurityHubWriteBack'), 'on'],
    });
    expect(writeBack.properties.Roles).toEqual([ref(hubRole.logicalId)]);
    const hub = {
      'Fn::Join': [
        '',
        [
          'arn:',
          ref('AWS::Partition'),
          ':securityhub:',
          ref('AWS::Region'),
          ':',
          ref('AWS::AccountId'),
          ':hub/default',
        ],
      ],
    };
    expect((writeBack.properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      {
        Sid: 'UpdateFindingsOfThisHub',
        Effect: 'Allow',
        Action: 'securityhub:BatchUpdateFindings',
        Resource: hub,
      },
      {
        Sid: 'NeverSuppressOrReopen',
        Effect: 'Deny',
        Action: 'securityhub:BatchUpdateFindings',
        Resource: hub,
        Condition: {
          'ForAnyValue:StringEquals': { 'securityhub:ASFFSyntaxPath/Workflow.Status': ['SUPPRESSED', 'NEW'] },
        },
      },
    ]);
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

describe('HubStack: the pacing table', () => {
  it('is keyed by account and region, on-demand, encrypted, with TTL, and not kept (scratch schedules)', () => {
    expect(pacingTable.properties).toMatchObject({
      KeySchema: [{ AttributeName: PACING_TABLE.partitionKey.name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: PACING_TABLE.partitionKey.name, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: PACING_TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(pacingTable.properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(pacingTable.resource.DeletionPolicy).toBe('Delete');
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
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
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
    const key = keyOf('alarm topic');
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

describe('HubStack: outcome events', () => {
  it('go to a topic of their own, encrypted with a rotated key of its own, over TLS only', () => {
    const key = keyOf('outcome topic');
    expect(key.properties.EnableKeyRotation).toBe(true);
    expect(outcomeTopic.properties.KmsMasterKeyId).toEqual(arnOf(key.logicalId));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(outcomeTopic.logicalId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('may be published by the hub role alone: no other principal is granted the topic or its key', () => {
    const grantees = Object.values(json.Resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes(outcomeTopic.logicalId),
      )
      .map((r) => r.Properties?.Roles);
    expect(grantees).toEqual([[ref(hubRole.logicalId)]]);
    expect(json.Outputs?.OutcomeTopicArn).toMatchObject({ Value: ref(outcomeTopic.logicalId) });
  });
});

describe('HubStack: the outcome alarms', () => {
  const outcomeAlarm = (properties: Record<string, unknown>) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RemediationHub',
      AlarmActions: [ref(alarmTopic.logicalId)],
      OKActions: [ref(alarmTopic.logicalId)],
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...properties,
    });
  const service = { Name: 'service', Value: 'remediation-hub' };

  it('read the namespace, service dimension and metric names the hub writes', () => {
    expect([HUB_METRICS_NAMESPACE, HUB_METRICS_SERVICE]).toEqual([METRICS_NAMESPACE, METRICS_SERVICE]);
    const names = new Set(Object.values(HUB_METRICS) as string[]);
    const alarmed = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.Namespace === 'RemediationHub')
      .map((r) => String(r.Properties?.MetricName));
    expect(alarmed.filter((name) => !names.has(name))).toEqual([]);
  });

  it('fire on any failed remediation in 5 minutes', () => {
    outcomeAlarm({
      MetricName: 'Outcome',
      Dimensions: Match.arrayEquals([{ Name: 'outcome', Value: 'failed' }, service]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire on a spike of rejected alerts, at a threshold the operator sets', () => {
    outcomeAlarm({
      MetricName: 'Outcome',
      Dimensions: Match.arrayEquals([{ Name: 'outcome', Value: 'rejected' }, service]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: ref('RejectedAlarmThreshold'),
    });
    expect(json.Parameters?.RejectedAlarmThreshold).toMatchObject({ Type: 'Number', Default: 20 });
  });

  it('fire on AssumeRole failures', () => {
    outcomeAlarm({ MetricName: 'AssumeRoleFailure', Dimensions: [service], Statistic: 'Sum', Threshold: 1 });
  });

  it('fire when the p95 of time-to-close over an hour exceeds a parameter', () => {
    outcomeAlarm({
      MetricName: 'TimeToCloseSeconds',
      Dimensions: [service],
      ExtendedStatistic: 'p95',
      Period: 3600,
      Threshold: ref('TimeToCloseP95Seconds'),
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(json.Parameters?.TimeToCloseP95Seconds).toMatchObject({ Type: 'Number', Default: 3600 });
  });
});

describe('HubStack: the dashboard', () => {
  const dashboard = onlyResource(json, 'AWS::CloudWatch::Dashboard');
  /** The dashboard body as JSON, each CloudFormation reference written as `<logical id>`. */
  const parts = (dashboard.properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = JSON.parse(
    parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
        return `<${token.Ref ?? token['Fn::GetAtt']?.[0]}>`;
      })
      .join(''),
  ) as { widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }> };
  const graphs = Object.fromEntries(
    body.widgets
      .filter((w) => w.properties.title)
      .map((w) => [w.properties.title, JSON.stringify(w.properties.metrics)]),
  );

  it('shows outcomes over time by outcome and by source, from the EMF metrics', () => {
    expect(graphs['Outcomes by outcome (per 5 minutes)']).toContain(
      `SEARCH('{RemediationHub,service,outcome} MetricName=\\"Outcome\\"', 'Sum', 300)`,
    );
    expect(graphs['Outcomes by outcome and source (per 5 minutes)']).toContain(
      `SEARCH('{RemediationHub,service,outcome,source} MetricName=\\"Outcome\\"', 'Sum', 300)`,
    );
  });

  it('shows time-to-close, the queue age and depth, dead letters and errors', () => {
    expect(graphs['Time to close (source first seen → confirmed revoke), seconds']).toContain(
      '["RemediationHub","TimeToCloseSeconds","service","remediation-hub",{"label":"p95","period":3600,"stat":"p95"}]',
    );
    const queueGraph = graphs['Queue: age of the oldest message (s) and depth'];
    expect(queueGraph).toContain(`"ApproximateAgeOfOldestMessage","QueueName","<${queue.logicalId}>"`);
    expect(queueGraph).toContain(`"ApproximateNumberOfMessagesVisible","QueueName","<${queue.logicalId}>"`);
    expect(graphs['Dead letters']).toContain(
      `"ApproximateNumberOfMessagesVisible","QueueName","<${deadLetterQueue.logicalId}>"`,
    );
    const errors = graphs.Errors;
    for (const metric of ['"AWS/Lambda","Errors"', '"AssumeRoleFailure"', '"ThrottledRetries"']) {
      expect(errors).toContain(metric);
    }
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
        'QueueUrl',
        'SecurityHubRuleArn',
      ]),
    );
  });
});

describe('HubStack: snapshot', () => {
  it('matches, asset hashes aside', () => {
    expect(stripAssetHashes(json)).toMatchSnapshot();
  });
});
