import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ACCOUNT_REGISTRY_TABLE, hubEnvironment } from '@remediation-hub/core';
import {
  AssetHashType,
  type CfnCondition,
  DockerImage,
  Duration,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { leaseSecondsFor, memberRoleArnPattern, type RemediationHubConfig } from '../config.js';
import { HANDLER_ENTRY, INFRA_ROOT, REPO_ROOT } from '../paths.js';

/** Settings the handler reads from its environment; values may be CloudFormation parameter tokens. */
export interface HubFunctionSettings {
  readonly memberExternalId: string;
  readonly allowedAccounts: string;
  readonly remediationMode: string;
  readonly dryRunAccounts: string;
  readonly strategy: string;
  readonly exemptTagKey: string;
  readonly logLevel: string;
  /** `on` or `off`: whether the hub writes outcomes back to Security Hub. */
  readonly securityHubWriteBack: string;
  /** The outcome topic's ARN (`OUTCOME_TOPIC_ARN`). */
  readonly outcomeTopicArn?: string;
  /** `ALLOWED_OUS`: comma-separated organisation paths of the allowed units (may be empty). */
  readonly allowedOus: string;
  /** `DRY_RUN_OUS` (may be empty). */
  readonly dryRunOus: string;
  /** `ORGANIZATION_ID` (may be empty: no organisation). */
  readonly organizationId: string;
  /** `ACCOUNTS_CACHE_SECONDS`. */
  readonly accountsCacheSeconds: string;
}

/**
 * The IAM boundary of the hub's AssumeRole, as CloudFormation values: the `Condition` block of the statement
 * (`aws:ResourceOrgID`, and `aws:ResourceOrgPaths` with OUs), chosen with `Fn::If` from the deployment's
 * parameters, and the condition under which the hub may read the OUs (see `organizationBoundary` in HubStack).
 */
export interface AssumeRoleBoundary {
  /** The statement's `Condition` (an `Fn::If` that may resolve to no condition at all). */
  readonly condition: unknown;
  /** Whether OUs are named: the policy that lets the hub read them exists only then. */
  readonly organizationsRead: CfnCondition;
}

export interface HubFunctionProps {
  readonly config: RemediationHubConfig;
  readonly queue: IQueue;
  /** The queue's dead-letter queue: the hub puts there, with the reason, what not even its ledger will record. */
  readonly deadLetterQueue: IQueue;
  readonly ledger: ITable;
  readonly settings: HubFunctionSettings;
  /** The account registry table: the function only reads it (its `current` index). */
  readonly accountRegistry: ITable;
  /** The shared pacing schedules (`PACING_TABLE`): the function only updates their items. */
  readonly pacing: ITable;
  readonly boundary: AssumeRoleBoundary;
  /** Path of the handler module; the hub-handler package's Lambda entry unless a test says otherwise. */
  readonly entry?: string;
}

/**
 * The Organizations reads of the OU walk: the hub account is the organisation's delegated administrator for these
 * actions alone (docs/deployment.md), and its role needs the same in its own policy.
 */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
] as const;

/** Actions the handler takes on the ledger: claim, complete, read one alert's records. No index reads. */
export const LEDGER_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
] as const;

/** The script that bundles the hub Lambda into an asset folder (lib/hubBundling.ts). */
const BUNDLE_SCRIPT = join(INFRA_ROOT, 'scripts', 'bundleHubFunction.ts');

/**
 * The hub Lambda's code: `entry` bundled locally by esbuild with HUB_BUNDLING into `index.mjs`, its source map and
 * metafile, hashed by that output (as NodejsFunction does it). Not NodejsFunction itself: it runs esbuild's command
 * line, which takes no plugins, and the bundle needs one to leave out the SDK schemas the handler never uses.
 */
export function hubFunctionCode(entry: string): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always runs (it needs only Node and this package's esbuild) or fails.
      image: DockerImage.fromRegistry('dummy'),
      local: {
        tryBundle(outputDir) {
          // CDK's bundling is synchronous and esbuild's plugins are not: bundle in a child process.
          execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT, entry, outputDir], {
            cwd: INFRA_ROOT,
            stdio: ['ignore', 2, 2],
          });
          return true;
        },
      },
    },
  });
}

/**
 * The hub Lambda: bundled locally by esbuild (ESM, minified, names kept) from the hub-handler package, fed by the
 * queue with partial batch responses, allowed to assume the member role and nothing else outside the hub.
 */
export class HubFunction extends Construct {
  readonly role: Role;
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);
    const { config, settings } = props;

    // A known name, so member roles can trust exactly this role through aws:PrincipalArn; re-creating
    // the role keeps the ARN, so trust survives (a principal ARN in the trust policy would not).
    this.role = new Role(this, 'Role', {
      roleName: config.hubRoleName,
      path: config.hubRolePath,
      description: 'remediation-hub function: reads the queue, writes the ledger, assumes the member role',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(this.role);

    // Its own inline policy, written as CloudFormation: the statement's Condition is chosen by Fn::If from the
    // parameters (no organisation, an organisation, an organisation with OUs), which a PolicyStatement cannot hold.
    const assumePolicy = new CfnPolicy(this, 'AssumeMemberRolePolicy', {
      policyName: 'AssumeTheMemberRoleInTheOrganization',
      roles: [this.role.roleName],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeTheMemberRoleOnly',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: memberRoleArnPattern(config),
            Condition: props.boundary.condition,
          },
        ],
      },
    });
    // Reading the OUs: a policy of its own that exists only when OUs are named (a resource condition, not an
    // AWS::NoValue in a statement list, which some CloudFormation implementations keep as a malformed statement).
    const readOus = new CfnPolicy(this, 'ReadOrganizationalUnitsPolicy', {
      policyName: 'ReadTheOrganizationalUnits',
      roles: [this.role.roleName],
      policyDocument: {
        Version: '2012-10-17',
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
    readOus.cfnOptions.condition = props.boundary.organizationsRead;
    Validations.of(readOus).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Organizations read actions take no resource ARN but the organisation and its OUs, walked from the root; ' +
        'they are read-only, and the delegation policy of the management account grants the hub account them alone.',
    });
    // cdk-nag reads the member-role wildcard.
    Validations.of(assumePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${memberRoleArnPattern(config)}]`,
      reason:
        'The hub assumes the member role in every account of the organisation, including accounts that join ' +
        'later, so the account is a wildcard; the role path and name are exact, aws:ResourceOrgID (and ' +
        'aws:ResourceOrgPaths with OUs) keep it inside the organisation, and the member role trusts this role ' +
        'only, and only with the external id.',
    });
    // The OU membership one container walked, shared with the others: one item, in its own partition of the registry
    // table; the function may write nothing else there.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'SharedOuMembership',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.accountRegistry.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [ACCOUNT_REGISTRY_TABLE.membership.partitionKey],
          },
        },
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'AccountRegistryRead',
        actions: ['dynamodb:Query'],
        resources: [
          `${props.accountRegistry.tableArn}/index/${ACCOUNT_REGISTRY_TABLE.currentIndex.indexName}`,
        ],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'DeadLettersWithTheirReason',
        actions: ['sqs:SendMessage'],
        resources: [props.deadLetterQueue.queueArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        // A claim of slots is one conditional UpdateItem; the function never reads or deletes a schedule.
        sid: 'PacingSchedules',
        actions: ['dynamodb:UpdateItem'],
        resources: [props.pacing.tableArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'LedgerItems',
        actions: [...LEDGER_ACTIONS],
        resources: [props.ledger.tableArn],
      }),
    );

    this.function = new LambdaFunction(this, 'Function', {
      description: 'remediation-hub: closes world-open security-group exposures reported by Evident',
      code: hubFunctionCode(props.entry ?? HANDLER_ENTRY),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      role: this.role,
      logGroup: this.logGroup,
      timeout: Duration.seconds(config.functionTimeoutSeconds),
      memorySize: config.functionMemoryMb,
      reservedConcurrentExecutions: config.reservedConcurrency,
      environment: {
        // The hub's settings, named by its settings contract (core's HUB_SETTINGS).
        ...hubEnvironment({
          ledgerTable: props.ledger.tableName,
          memberRoleName: config.memberRoleName,
          memberRolePath: config.memberRolePath,
          memberExternalId: settings.memberExternalId,
          allowedAccounts: settings.allowedAccounts,
          mode: settings.remediationMode,
          dryRunAccounts: settings.dryRunAccounts,
          strategy: settings.strategy,
          exemptTagKey: settings.exemptTagKey,
          logLevel: settings.logLevel,
          securityHubWriteBack: settings.securityHubWriteBack,
          leaseSeconds: String(leaseSecondsFor(config)),
          deadLetterQueueUrl: props.deadLetterQueue.queueUrl,
          outcomeTopicArn: settings.outcomeTopicArn,
          allowedOus: settings.allowedOus,
          dryRunOus: settings.dryRunOus,
          organizationId: settings.organizationId,
          accountsCacheSeconds: settings.accountsCacheSeconds,
          accountRegistryTable: props.accountRegistry.tableName,
          pacingTable: props.pacing.tableName,
        }),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: config.batchSize,
        ...(config.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(config.maxBatchingWindowSeconds) }
          : {}),
        reportBatchItemFailures: true,
        maxConcurrency: config.maxConcurrency,
      }),
    );
  }
}
