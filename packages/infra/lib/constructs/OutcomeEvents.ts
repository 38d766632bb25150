import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The outcome topic: one event per completed notification and per undo (docs/operations.md, "Outcome events").
 * E-mail, chat and ticketing are its subscribers, each with a filter policy on the message attributes; none of
 * them is code in the hub. Encrypted with a key of its own, rotated; TLS only.
 */
export class OutcomeEvents extends Construct {
  readonly key: Key;
  readonly topic: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'TopicKey', {
      description: 'remediation-hub outcome topic',
      enableKeyRotation: true,
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'remediation-hub outcome events',
      masterKey: this.key,
      enforceSSL: true,
    });
  }

  /**
   * Lets `role` publish to the topic and nothing else: `sns:Publish` on it, and the two key actions SNS needs
   * from a publisher of an encrypted topic, on its key (exact actions, not `kms:GenerateDataKey*`).
   */
  allowPublish(role: Role): void {
    role.addToPolicy(
      new PolicyStatement({
        sid: 'PublishOutcomeEvents',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'EncryptOutcomeEvents',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
  }
}
