/**
 * The denominator of the bundle benchmark (packages/infra/bench/bundle.bench.ts): a Lambda entry point with the AWS
 * SDK clients the hub constructs at start (same configuration) and the commands it sends, and no hub logic. SQS is
 * imported on demand, as SqsDeadLetterQueue does; EC2 clients are made per member account, so only imported.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { ListAccountsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

const region = process.env.AWS_REGION ?? 'us-east-1';
const base = { region, retryMode: 'adaptive', maxAttempts: 3 } as const;
const sts = new STSClient(base);
const dynamodb = new DynamoDBClient(base);
const documentClient = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true },
});
const sns = new SNSClient(base);
const securityHub = new SecurityHubClient(base);
const organizations = new OrganizationsClient({ ...base, region: 'us-east-1' });

export const handler = async () => {
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  return [
    sts,
    documentClient,
    sns,
    securityHub,
    organizations,
    SQSClient,
    SendMessageCommand,
    EC2Client,
    AssumeRoleCommand,
    DescribeSecurityGroupsCommand,
    RevokeSecurityGroupIngressCommand,
    AuthorizeSecurityGroupIngressCommand,
    ListAccountsForParentCommand,
    BatchUpdateFindingsCommand,
    PublishCommand,
    GetCommand,
    PutCommand,
    QueryCommand,
    TransactWriteCommand,
    UpdateCommand,
  ];
};
