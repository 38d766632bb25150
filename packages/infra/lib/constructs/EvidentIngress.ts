import { Duration } from 'aws-cdk-lib';
import { AccountPrincipal, Effect, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface EvidentIngressProps {
  /** Evident's AWS account, which assumes the publisher role (a parameter's value). */
  readonly evidentAccountId: string;
  /** The external id Evident shows for the team's SNS integration (a parameter's value). */
  readonly evidentExternalId: string;
  /** Receives before a message moves to the dead-letter queue (a parameter's value). */
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
}

/**
 * Where alerts enter: the topic Evident publishes to through a role it assumes with the external id,
 * and the queue (with its dead-letter queue) that the topic delivers to with raw message delivery.
 */
export class EvidentIngress extends Construct {
  readonly topic: Topic;
  readonly publisherRole: Role;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: EvidentIngressProps) {
    super(scope, id);

    this.topic = new Topic(this, 'Topic', {
      displayName: 'remediation-hub alerts from Evident',
      // The AWS managed key: the publisher role lives in this account, so it needs sns:Publish only
      // (a customer managed key would need kms:GenerateDataKey* and kms:Decrypt on the role too).
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    this.publisherRole = new Role(this, 'PublisherRole', {
      description: 'Assumed by Evident (with the external id) to publish alerts to the remediation-hub topic',
      assumedBy: new AccountPrincipal(props.evidentAccountId),
      externalIds: [props.evidentExternalId],
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        PublishAlerts: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'PublishToTheHubTopicOnly',
              actions: ['sns:Publish'],
              resources: [this.topic.topicArn],
            }),
          ],
        }),
      },
    });

    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EvidentPublisherRoleOnly',
        effect: Effect.ALLOW,
        principals: [this.publisherRole],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      // Shorter than the dead-letter queue's 14 days: a dead-lettered message keeps its first
      // enqueue time, so the dead-letter queue must keep messages longer than the source does.
      retentionPeriod: Duration.days(7),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    this.topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: true }));
  }
}
