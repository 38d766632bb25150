import {
  DEFAULT_EXEMPT_TAG_KEY,
  DEFAULT_STRATEGY,
  REMEDIATION_MODES,
  STRATEGIES,
  WRITE_BACK_SETTINGS,
} from '@remediation-hub/core';
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CfnRule,
  Duration,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { queueVisibilityTimeoutSeconds, type RemediationHubConfig } from '../config.js';
import { AccountRegistryTable } from '../constructs/AccountRegistryTable.js';
import { EvidentIngress } from '../constructs/EvidentIngress.js';
import { HubAlarms } from '../constructs/HubAlarms.js';
import { HubDashboard } from '../constructs/HubDashboard.js';
import { type AssumeRoleBoundary, HubFunction } from '../constructs/HubFunction.js';
import { LedgerTable } from '../constructs/LedgerTable.js';
import { OutcomeAlarms } from '../constructs/OutcomeAlarms.js';
import { OutcomeEvents } from '../constructs/OutcomeEvents.js';
import { PacingTable } from '../constructs/PacingTable.js';
import { SourceIngress } from '../constructs/SourceIngress.js';

/** Evident's AWS account: the principal its SNS integration publishes from. */
export const EVIDENT_ACCOUNT_ID = '613698206329';

/** What STS accepts as an external id. */
export const EXTERNAL_ID_PATTERN = '^[\\w+=,.@:/-]{2,1224}$';
/** pino's levels, as the hub handler's LOG_LEVEL accepts them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ACCOUNT_LIST_PATTERN = '^[0-9]{12}(,[0-9]{12})*$';
/** An OU's organisation path, as `aws:ResourceOrgPaths` writes it: `o-.../r-.../ou-.../` (a root alone too). */
const ORG_PATH = 'o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}(/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})*/';
const OU_ID = 'ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}';

export interface HubStackProps extends StackProps {
  readonly config: RemediationHubConfig;
  /** Overrides the handler entry (tests bundle a stub to stay fast); defaults to the hub-handler's. */
  readonly handlerEntry?: string;
}

/** The hub: Evident's topic and publisher role, the queue and DLQ, the hub Lambda, the ledger, the alarms. */
export class HubStack extends Stack {
  readonly ingress: EvidentIngress;
  readonly hub: HubFunction;
  readonly ledger: LedgerTable;
  readonly accountRegistry: AccountRegistryTable;
  readonly pacing: PacingTable;
  readonly alarms: HubAlarms;
  readonly sources: SourceIngress;
  readonly outcomes: OutcomeEvents;
  readonly outcomeAlarms: OutcomeAlarms;
  readonly dashboard: HubDashboard;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, {
      description:
        'remediation-hub: closes world-open security-group exposures reported by Evident, Security Hub and Prisma Cloud',
      ...props,
    });
    this.templateOptions.templateFormatVersion = '2010-09-09';
    const { config } = props;

    const evidentAccountId = new CfnParameter(this, 'EvidentAccountId', {
      type: 'String',
      default: EVIDENT_ACCOUNT_ID,
      allowedPattern: '^[0-9]{12}$',
      description: "Evident's AWS account, trusted to assume the publisher role",
    });
    const evidentExternalId = new CfnParameter(this, 'EvidentExternalId', {
      type: 'String',
      noEcho: true,
      allowedPattern: EXTERNAL_ID_PATTERN,
      description: "The external id Evident shows for the team's SNS integration",
    });
    const memberExternalId = new CfnParameter(this, 'MemberExternalId', {
      type: 'String',
      noEcho: true,
      allowedPattern: EXTERNAL_ID_PATTERN,
      description: 'The external id the hub presents to member roles; the same value goes to the StackSet',
    });
    const allowedAccounts = new CfnParameter(this, 'AllowedAccounts', {
      type: 'String',
      default: '',
      allowedPattern: `(${ACCOUNT_LIST_PATTERN})?`,
      description:
        'Comma-separated 12-digit account ids the hub may act in, beside the OUs and the account registry; ' +
        'alerts for other accounts are rejected',
    });
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      default: '',
      allowedPattern: '^(o-[a-z0-9]{10,32})?$',
      description:
        'The AWS Organizations organisation (o-...): the hub role may assume the member role only in its accounts ' +
        '(aws:ResourceOrgID). Empty: no organisation (the allow-list and the registry only)',
    });
    const allowedOus = new CfnParameter(this, 'AllowedOrganizationalUnits', {
      type: 'String',
      default: '',
      // The paths go into the function's environment (4 KB for all variables) and the role's inline policy.
      maxLength: 2048,
      allowedPattern: `^(${ORG_PATH}(,${ORG_PATH})*)?$`,
      description:
        'Comma-separated organisation paths (o-.../r-.../ou-.../) of the OUs whose accounts (child OUs included) ' +
        'the hub acts in; the hub role may then assume the member role only under them (aws:ResourceOrgPaths)',
    });
    const dryRunOus = new CfnParameter(this, 'DryRunOrganizationalUnits', {
      type: 'String',
      default: '',
      maxLength: 1024,
      allowedPattern: `^((${OU_ID}|${ORG_PATH})(,(${OU_ID}|${ORG_PATH}))*)?$`,
      description:
        'Comma-separated OU ids or paths, within the allowed OUs, whose accounts are only planned for (dry-run)',
    });
    const accountsCacheSeconds = new CfnParameter(this, 'AccountsCacheSeconds', {
      type: 'Number',
      default: 900,
      minValue: 10,
      maxValue: 86_400,
      description: 'How long the OU membership read from Organizations is trusted before it is read again',
    });
    const remediationMode = new CfnParameter(this, 'RemediationMode', {
      type: 'String',
      default: 'dry-run',
      allowedValues: [...REMEDIATION_MODES],
      description: 'dry-run records the plan without changing any security group; remediate acts',
    });
    const dryRunAccounts = new CfnParameter(this, 'DryRunAccounts', {
      type: 'String',
      default: '',
      allowedPattern: `(${ACCOUNT_LIST_PATTERN})?`,
      description: 'Comma-separated account ids kept in dry-run even when RemediationMode is remediate',
    });
    const strategy = new CfnParameter(this, 'Strategy', {
      type: 'String',
      default: DEFAULT_STRATEGY,
      allowedValues: [...STRATEGIES],
      description:
        'revoke closes the whole world-open permission; narrow re-opens the rest of its port range',
    });
    const exemptTagKey = new CfnParameter(this, 'ExemptTagKey', {
      type: 'String',
      default: DEFAULT_EXEMPT_TAG_KEY,
      minLength: 1,
      maxLength: 128,
      description: 'Security groups tagged with this key and the value true are left alone',
    });
    const logLevel = new CfnParameter(this, 'LogLevel', {
      type: 'String',
      default: 'info',
      allowedValues: [...LOG_LEVELS],
      description: "The hub function's log level",
    });
    const maxReceiveCount = new CfnParameter(this, 'MaxReceiveCount', {
      type: 'Number',
      default: config.defaultMaxReceiveCount,
      minValue: 1,
      maxValue: 1000,
      description: 'Receives of one alert before it moves to the dead-letter queue',
    });
    const prismaCloudRoleArn = new CfnParameter(this, 'PrismaCloudRoleArn', {
      type: 'String',
      default: '',
      // One exact role ARN, or nothing: the queue policy names it as its principal.
      allowedPattern: '^(arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512})?$',
      description:
        "The role Prisma Cloud's Amazon SQS integration sends with; empty: Prisma Cloud may not send to the queue",
    });
    const securityHubWriteBack = new CfnParameter(this, 'SecurityHubWriteBack', {
      type: 'String',
      default: 'on',
      allowedValues: [...WRITE_BACK_SETTINGS],
      description:
        'on: set remediated Security Hub findings RESOLVED (failed ones NOTIFIED) with a note; needs this account to be the Security Hub administrator',
    });
    const rejectedAlarmThreshold = new CfnParameter(this, 'RejectedAlarmThreshold', {
      type: 'Number',
      default: 20,
      minValue: 1,
      description: 'Rejected alerts in 5 minutes that raise the RejectedSpike alarm',
    });
    const timeToCloseP95Seconds = new CfnParameter(this, 'TimeToCloseP95Seconds', {
      type: 'Number',
      default: 3600,
      minValue: 1,
      description:
        'The TimeToCloseP95 alarm fires when the p95 of time-to-close (source first seen to revoke) over an hour exceeds this',
    });
    this.templateOptions.metadata = {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [
          {
            Label: { default: 'Evident SNS integration' },
            Parameters: [evidentAccountId.logicalId, evidentExternalId.logicalId],
          },
          {
            Label: { default: 'Security Hub and Prisma Cloud' },
            Parameters: [securityHubWriteBack.logicalId, prismaCloudRoleArn.logicalId],
          },
          {
            Label: { default: 'Member accounts' },
            Parameters: [
              memberExternalId.logicalId,
              allowedAccounts.logicalId,
              organizationId.logicalId,
              allowedOus.logicalId,
              accountsCacheSeconds.logicalId,
            ],
          },
          {
            Label: { default: 'Behaviour' },
            Parameters: [
              remediationMode.logicalId,
              dryRunAccounts.logicalId,
              dryRunOus.logicalId,
              strategy.logicalId,
              exemptTagKey.logicalId,
            ],
          },
          {
            Label: { default: 'Operations' },
            Parameters: [
              maxReceiveCount.logicalId,
              logLevel.logicalId,
              rejectedAlarmThreshold.logicalId,
              timeToCloseP95Seconds.logicalId,
            ],
          },
        ],
      },
    };

    this.ingress = new EvidentIngress(this, 'Ingress', {
      evidentAccountId: evidentAccountId.valueAsString,
      evidentExternalId: evidentExternalId.valueAsString,
      maxReceiveCount: maxReceiveCount.valueAsNumber,
      visibilityTimeout: Duration.seconds(queueVisibilityTimeoutSeconds(config)),
    });
    this.ledger = new LedgerTable(this, 'Ledger', { indexes: config.ledgerIndexes });
    this.outcomes = new OutcomeEvents(this, 'Outcomes');
    this.accountRegistry = new AccountRegistryTable(this, 'AccountRegistry');
    this.pacing = new PacingTable(this, 'Pacing');
    const boundary = organizationBoundary(this, { organizationId, allowedOus, dryRunOus });
    this.hub = new HubFunction(this, 'Hub', {
      config,
      queue: this.ingress.queue,
      deadLetterQueue: this.ingress.deadLetterQueue,
      ledger: this.ledger.table,
      accountRegistry: this.accountRegistry.table,
      pacing: this.pacing.table,
      boundary,
      ...(props.handlerEntry === undefined ? {} : { entry: props.handlerEntry }),
      settings: {
        memberExternalId: memberExternalId.valueAsString,
        allowedAccounts: allowedAccounts.valueAsString,
        remediationMode: remediationMode.valueAsString,
        dryRunAccounts: dryRunAccounts.valueAsString,
        strategy: strategy.valueAsString,
        exemptTagKey: exemptTagKey.valueAsString,
        logLevel: logLevel.valueAsString,
        securityHubWriteBack: securityHubWriteBack.valueAsString,
        outcomeTopicArn: this.outcomes.topic.topicArn,
        allowedOus: allowedOus.valueAsString,
        dryRunOus: dryRunOus.valueAsString,
        organizationId: organizationId.valueAsString,
        accountsCacheSeconds: accountsCacheSeconds.valueAsString,
      },
    });
    this.outcomes.allowPublish(this.hub.role);
    this.sources = new SourceIngress(this, 'Sources', {
      queue: this.ingress.queue,
      hubRole: this.hub.role,
      prismaCloudRoleArn: prismaCloudRoleArn.valueAsString,
      securityHubWriteBack: securityHubWriteBack.valueAsString,
    });
    this.alarms = new HubAlarms(this, 'Alarms', {
      queue: this.ingress.queue,
      deadLetterQueue: this.ingress.deadLetterQueue,
      function: this.hub.function,
      oldestMessageAlarmSeconds: config.oldestMessageAlarmSeconds,
    });
    this.outcomeAlarms = new OutcomeAlarms(this, 'OutcomeAlarms', {
      topic: this.alarms.topic,
      rejectedThreshold: rejectedAlarmThreshold.valueAsNumber,
      timeToCloseP95Seconds: timeToCloseP95Seconds.valueAsNumber,
    });
    this.dashboard = new HubDashboard(this, 'Dashboard', {
      queue: this.ingress.queue,
      deadLetterQueue: this.ingress.deadLetterQueue,
      function: this.hub.function,
    });

    new CfnOutput(this, 'TopicArn', {
      value: this.ingress.topic.topicArn,
      description: 'Evident SNS integration: the topic ARN',
    });
    new CfnOutput(this, 'PublisherRoleArn', {
      value: this.ingress.publisherRole.roleArn,
      description: 'Evident SNS integration: the role ARN Evident assumes (with its external id)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description:
        'Subscribe the operators here: dead letters, a stuck queue, function errors, failed and rejected outcomes, AssumeRole failures, time-to-close',
    });
    new CfnOutput(this, 'OutcomeTopicArn', {
      value: this.outcomes.topic.topicArn,
      description:
        'One event per completed alert and undo: subscribe e-mail, chat and ticketing with filter policies',
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'QueueUrl', {
      value: this.ingress.queue.queueUrl,
      description: "Prisma Cloud's Amazon SQS integration: the queue URL",
    });
    new CfnOutput(this, 'SecurityHubRuleArn', {
      value: this.sources.rule.ruleArn,
      description:
        'The EventBridge rule that sends failed Security Hub checks of the hub controls to the queue',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.ingress.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'AccountRegistryTableName', {
      value: this.accountRegistry.table.tableName,
      description: 'ACCOUNT_REGISTRY_TABLE for remediation-hub accounts and doctor',
    });
    new CfnOutput(this, 'HubFunctionName', { value: this.hub.function.functionName });
    new CfnOutput(this, 'HubLogGroupName', { value: this.hub.logGroup.logGroupName });
    new CfnOutput(this, 'HubRoleArn', {
      value: this.hub.role.roleArn,
      description: 'The role member roles trust (through HubAccountId and aws:PrincipalArn)',
    });
    new CfnOutput(this, 'HubAccountId', {
      value: Aws.ACCOUNT_ID,
      description: 'The HubAccountId parameter of the member-role StackSet',
    });
  }
}

/**
 * The IAM boundary of the hub's AssumeRole from the deployment's parameters: with an organisation, the member role
 * may be assumed only in its accounts (`aws:ResourceOrgID`); with OUs, only in accounts under them
 * (`aws:ResourceOrgPaths`, each path with `*` appended: the unit and every unit below it). Without an organisation
 * there is no condition (the hub's own account checks remain). OUs need the organisation, a template rule says so.
 */
function organizationBoundary(
  stack: Stack,
  parameters: { organizationId: CfnParameter; allowedOus: CfnParameter; dryRunOus: CfnParameter },
): AssumeRoleBoundary {
  const hasOrganization = new CfnCondition(stack, 'HasOrganization', {
    expression: Fn.conditionNot(Fn.conditionEquals(parameters.organizationId.valueAsString, '')),
  });
  const hasOus = new CfnCondition(stack, 'HasOrganizationalUnits', {
    expression: Fn.conditionNot(Fn.conditionEquals(parameters.allowedOus.valueAsString, '')),
  });
  new CfnRule(stack, 'OrganizationalUnitsNeedTheOrganization', {
    ruleCondition: Fn.conditionNot(Fn.conditionEquals(parameters.allowedOus.valueAsString, '')),
    assertions: [
      {
        assert: Fn.conditionNot(Fn.conditionEquals(parameters.organizationId.valueAsString, '')),
        assertDescription: 'AllowedOrganizationalUnits needs OrganizationId (the o-... its paths start with)',
      },
    ],
  });
  // The function refuses to start with dry-run units and no allowed ones (they only narrow): refuse the deployment.
  new CfnRule(stack, 'DryRunOrganizationalUnitsNeedAllowedOnes', {
    ruleCondition: Fn.conditionNot(Fn.conditionEquals(parameters.dryRunOus.valueAsString, '')),
    assertions: [
      {
        assert: Fn.conditionNot(Fn.conditionEquals(parameters.allowedOus.valueAsString, '')),
        assertDescription:
          'DryRunOrganizationalUnits narrows AllowedOrganizationalUnits: list a unit in both to onboard it in dry-run',
      },
    ],
  });
  const inOrganization = { 'aws:ResourceOrgID': parameters.organizationId.valueAsString };
  // "a/,b/" becomes ["a/*", "b/*"]: join the paths with "*,", add the last "*", split again.
  const paths = Fn.split(
    ',',
    Fn.join('', [Fn.join('*,', Fn.split(',', parameters.allowedOus.valueAsString)), '*']),
  );
  return {
    condition: Fn.conditionIf(
      hasOrganization.logicalId,
      Fn.conditionIf(
        hasOus.logicalId,
        { StringEquals: inOrganization, 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': paths } },
        { StringEquals: inOrganization },
      ),
      Aws.NO_VALUE,
    ),
    organizationsRead: hasOus,
  };
}
