import { securityHubEventPattern } from '@remediation-hub/core';
import { Aws, CfnCondition, Fn, Stack } from 'aws-cdk-lib';
import { type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import {
  ArnPrincipal,
  type CfnPolicy,
  Effect,
  Policy,
  PolicyStatement,
  type Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { type CfnQueuePolicy, type Queue, QueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SourceIngressProps {
  /** The hub queue, which the Evident topic already feeds. */
  readonly queue: Queue;
  /** The hub function's role: it gets the Security Hub write-back permission when the write-back is on. */
  readonly hubRole: Role;
  /** `PrismaCloudRoleArn`: the role Prisma Cloud's SQS integration sends with; empty for none. */
  readonly prismaCloudRoleArn: string;
  /** `SecurityHubWriteBack`: `on` or `off`. */
  readonly securityHubWriteBack: string;
}

/** The Security Hub rule's id, and Prisma Cloud's statement id on the queue policy. */
export const SECURITY_HUB_RULE_ID = 'SecurityHubFindings';
export const PRISMA_CLOUD_STATEMENT_SID = 'PrismaCloudIntegrationSends';

/**
 * Where the other posture tools come in, all to the one hub queue:
 * - Security Hub: an EventBridge rule on the hub account's default bus (the Security Hub administrator account,
 *   in the aggregation region, sees every member's findings there), pattern from core, the queue its target; the
 *   queue lets `events.amazonaws.com` send only for this rule (`aws:SourceArn`). Security Hub's write-back:
 *   `securityhub:BatchUpdateFindings` on this account's hub in this region, never `SUPPRESSED` or `NEW`, only while
 *   `SecurityHubWriteBack` is `on`.
 * - Prisma Cloud: its Amazon SQS integration sends each alert straight to the queue, as a role of the customer's
 *   choosing; the queue lets that role (`PrismaCloudRoleArn`) send, only when one is given.
 */
export class SourceIngress extends Construct {
  readonly rule: Rule;
  readonly writeBackPolicy: Policy;
  readonly hasPrismaCloudRole: CfnCondition;
  readonly writeBackOn: CfnCondition;

  constructor(scope: Construct, id: string, props: SourceIngressProps) {
    super(scope, id);
    const { queue } = props;

    this.rule = new Rule(this, SECURITY_HUB_RULE_ID, {
      description:
        'remediation-hub: failed Security Hub checks of world-open security groups, to the hub queue',
      eventPattern: securityHubEventPattern() as never,
    });
    // The queue as the target, with a grant narrower than the SqsQueue target's (SendMessage only, this rule only).
    const toQueue: IRuleTarget = { bind: () => ({ arn: queue.queueArn }) };
    this.rule.addTarget(toQueue);
    queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SecurityHubRuleSends',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );

    // Prisma Cloud's role, when given: a statement of the queue's one policy, present only under the condition.
    this.hasPrismaCloudRole = new CfnCondition(this, 'HasPrismaCloudRole', {
      expression: Fn.conditionNot(Fn.conditionEquals(props.prismaCloudRoleArn, '')),
    });
    // GetQueueAttributes: the integration reads the queue when it is saved (Prisma Cloud's setup page lists it). The
    // role may be in another account (an account's onboarding role), where its own policy alone does not reach.
    const prisma = new PolicyStatement({
      sid: PRISMA_CLOUD_STATEMENT_SID,
      effect: Effect.ALLOW,
      principals: [new ArnPrincipal(props.prismaCloudRoleArn)],
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resources: [queue.queueArn],
    });
    // The queue's one policy (a queue takes one: a second AWS::SQS::QueuePolicy would replace the first).
    const policy = queue.node.tryFindChild('Policy');
    if (!(policy instanceof QueuePolicy))
      throw new Error('the hub queue has no policy to add Prisma Cloud to');
    const queuePolicy = policy.node.defaultChild as CfnQueuePolicy;
    const conditionId = this.hasPrismaCloudRole.logicalId;
    // Appended once the tree is complete (validation runs after every construct, before the template is written),
    // so that no statement added later by another construct can take its place in the list.
    Stack.of(this).node.addValidation({
      validate: () => {
        const index = policy.document.statementCount;
        queuePolicy.addPropertyOverride(
          `PolicyDocument.Statement.${index}`,
          Fn.conditionIf(conditionId, prisma.toStatementJson(), Aws.NO_VALUE),
        );
        return [];
      },
    });

    this.writeBackOn = new CfnCondition(this, 'SecurityHubWriteBackOn', {
      expression: Fn.conditionEquals(props.securityHubWriteBack, 'on'),
    });
    const hub = `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`;
    this.writeBackPolicy = new Policy(this, 'SecurityHubWriteBack', {
      roles: [props.hubRole],
      statements: [
        new PolicyStatement({
          sid: 'UpdateFindingsOfThisHub',
          actions: ['securityhub:BatchUpdateFindings'],
          resources: [hub],
        }),
        // The hub sets RESOLVED or NOTIFIED; it must never hide a finding, nor reopen one.
        new PolicyStatement({
          sid: 'NeverSuppressOrReopen',
          effect: Effect.DENY,
          actions: ['securityhub:BatchUpdateFindings'],
          resources: [hub],
          conditions: {
            'ForAnyValue:StringEquals': {
              'securityhub:ASFFSyntaxPath/Workflow.Status': ['SUPPRESSED', 'NEW'],
            },
          },
        }),
      ],
    });
    (this.writeBackPolicy.node.defaultChild as CfnPolicy).cfnOptions.condition = this.writeBackOn;
  }
}
