import { Aws, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface HubAlarmsProps {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly function: IFunction;
  readonly oldestMessageAlarmSeconds: number;
}

/**
 * The three signals an operator must hear about (dead letters, a stuck queue, a failing function), sent
 * to a topic the operator subscribes to. The topic's key is customer managed because CloudWatch, as a
 * service, cannot publish to a topic encrypted with the AWS managed SNS key.
 */
export class HubAlarms extends Construct {
  readonly topic: Topic;
  readonly deadLetters: Alarm;
  readonly oldestMessage: Alarm;
  readonly functionErrors: Alarm;

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);

    const key = new Key(this, 'TopicKey', {
      description: 'remediation-hub alarm topic',
      enableKeyRotation: true,
    });
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsOfThisAccount,
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'remediation-hub alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );

    const period = Duration.minutes(1);
    this.deadLetters = new Alarm(this, 'DeadLetters', {
      alarmDescription: 'remediation-hub: alerts reached the dead-letter queue; see docs/operations.md',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.oldestMessage = new Alarm(this, 'OldestMessageAge', {
      alarmDescription: 'remediation-hub: alerts are waiting in the queue longer than expected',
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      threshold: props.oldestMessageAlarmSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.functionErrors = new Alarm(this, 'FunctionErrors', {
      alarmDescription: 'remediation-hub: the hub function failed whole invocations',
      metric: props.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const action = new SnsAction(this.topic);
    for (const alarm of [this.deadLetters, this.oldestMessage, this.functionErrors]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
