import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackResourceCommand,
  DescribeStackSetOperationCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { StsCredentialsCache } from '@remediation-hub/hub-handler';
import {
  accountClients,
  awsClientConfig,
  DEFAULT_REGION,
  HUB_ACCOUNT_ID,
  hubClients,
  type RecordingProxy,
  startRecordingProxy,
} from '@remediation-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../lib/config.js';
import { MEMBER_ROLE_TEMPLATE_FILE } from '../../lib/paths.js';
import { parsePolicyDocument } from '../support/parsePolicyDocument.js';

// Accounts used by this file alone: the emulator is shared by every test of the run.
const MEMBER_ACCOUNTS = ['444444444401', '444444444402'] as const;
const EXTERNAL_ID = `it-${randomUUID()}`;
const STACK_SET_NAME = `remediation-hub-member-role-it-${Date.now()}`;
const HUB_ROLE_ARN = `arn:aws:iam::${HUB_ACCOUNT_ID}:role${DEFAULT_CONFIG.hubRolePath}${DEFAULT_CONFIG.hubRoleName}`;
const OPERATOR_ROLE_ARN = `arn:aws:iam::${HUB_ACCOUNT_ID}:role/remediation-hub/RemediationHubOperator`;
/** The first account keeps the StackSet's parameters (no operator role); the second overrides OperatorRoleArn. */
const OPERATOR_ROLE_OF: Record<(typeof MEMBER_ACCOUNTS)[number], string | undefined> = {
  '444444444401': undefined,
  '444444444402': OPERATOR_ROLE_ARN,
};
const STACK_SET_PARAMETERS = [
  { ParameterKey: 'HubAccountId', ParameterValue: HUB_ACCOUNT_ID },
  { ParameterKey: 'ExternalId', ParameterValue: EXTERNAL_ID },
  { ParameterKey: 'AllowAuthorizeIngress', ParameterValue: 'true' },
];

async function waitForOperation(cloudformation: CloudFormationClient, operationId: string): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const { StackSetOperation } = await cloudformation.send(
      new DescribeStackSetOperationCommand({ StackSetName: STACK_SET_NAME, OperationId: operationId }),
    );
    const status = StackSetOperation?.Status ?? 'UNKNOWN';
    if (!['RUNNING', 'QUEUED', 'STOPPING'].includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`StackSet operation ${operationId} did not finish`);
}

/** The stack a self-managed StackSet instance created in a member account, seen from that account. */
async function memberStack(accountId: string) {
  const { cloudformation } = await accountClients(accountId, DEFAULT_REGION);
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({}));
  const stack = Stacks?.find((s) => s.StackName?.includes(STACK_SET_NAME));
  if (!stack?.StackName) throw new Error(`no stack of ${STACK_SET_NAME} in ${accountId}`);
  const { StackResourceDetail } = await cloudformation.send(
    new DescribeStackResourceCommand({ StackName: stack.StackName, LogicalResourceId: 'MemberRole' }),
  );
  return { stack, role: StackResourceDetail };
}

let proxy: RecordingProxy;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  const { cloudformation } = hubClients(DEFAULT_REGION);
  await cloudformation.send(
    new CreateStackSetCommand({
      StackSetName: STACK_SET_NAME,
      // The committed standalone template, exactly as an operator hands it to StackSets.
      TemplateBody: readFileSync(MEMBER_ROLE_TEMPLATE_FILE, 'utf8'),
      PermissionModel: 'SELF_MANAGED',
      AdministrationRoleARN: `arn:aws:iam::${HUB_ACCOUNT_ID}:role/AWSCloudFormationStackSetAdministrationRole`,
      ExecutionRoleName: 'AWSCloudFormationStackSetExecutionRole',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: STACK_SET_PARAMETERS,
    }),
  );
  for (const accountId of MEMBER_ACCOUNTS) {
    const operatorRoleArn = OPERATOR_ROLE_OF[accountId];
    const { OperationId } = await cloudformation.send(
      new CreateStackInstancesCommand({
        StackSetName: STACK_SET_NAME,
        Accounts: [accountId],
        Regions: [DEFAULT_REGION],
        // AWS merges overrides into the StackSet's parameters; moto replaces them: give them all.
        ...(operatorRoleArn === undefined
          ? {}
          : {
              ParameterOverrides: [
                ...STACK_SET_PARAMETERS,
                { ParameterKey: 'OperatorRoleArn', ParameterValue: operatorRoleArn },
              ],
            }),
      }),
    );
    if (!OperationId) throw new Error('CreateStackInstances returned no operation id');
    const status = await waitForOperation(cloudformation, OperationId);
    if (status !== 'SUCCEEDED') throw new Error(`CreateStackInstances for ${accountId} ended ${status}`);
  }
});

afterAll(async () => {
  await proxy?.close();
});

describe('the member-role template as a self-managed StackSet on the emulator', () => {
  it('has one stack instance per member account', async () => {
    const { cloudformation } = hubClients(DEFAULT_REGION);
    const { Summaries } = await cloudformation.send(
      new ListStackInstancesCommand({ StackSetName: STACK_SET_NAME }),
    );
    expect(Summaries?.map((s) => [s.Account, s.Region]).sort()).toEqual(
      MEMBER_ACCOUNTS.map((account) => [account, DEFAULT_REGION]),
    );
  });

  it.each(MEMBER_ACCOUNTS)('created the member role, at its path, in account %s', async (accountId) => {
    const { stack, role } = await memberStack(accountId);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(role).toMatchObject({
      ResourceType: 'AWS::IAM::Role',
      PhysicalResourceId: DEFAULT_CONFIG.memberRoleName,
      ResourceStatus: 'CREATE_COMPLETE',
    });
    const arn = stack.Outputs?.find((o) => o.OutputKey === 'MemberRoleArn')?.OutputValue;
    expect(arn).toBe(
      `arn:aws:iam::${accountId}:role${DEFAULT_CONFIG.memberRolePath}${DEFAULT_CONFIG.memberRoleName}`,
    );
  });

  it.each(MEMBER_ACCOUNTS)(
    'shows, read through IAM in %s, a trust of the hub account with the ExternalId and the principal ARN condition',
    async (accountId) => {
      const { iam } = await accountClients(accountId, DEFAULT_REGION);
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: DEFAULT_CONFIG.memberRoleName }));
      expect(Role?.Arn).toBe(
        `arn:aws:iam::${accountId}:role${DEFAULT_CONFIG.memberRolePath}${DEFAULT_CONFIG.memberRoleName}`,
      );
      // Parsed (moto, like AWS, sends the trust URL-encoded), then compared whole.
      const operator = OPERATOR_ROLE_OF[accountId];
      expect(parsePolicyDocument(Role?.AssumeRolePolicyDocument)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'HubFunctionWithExternalId',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT_ID}:root` },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'sts:ExternalId': EXTERNAL_ID },
              ArnEquals: {
                'aws:PrincipalArn': operator === undefined ? HUB_ROLE_ARN : [HUB_ROLE_ARN, operator],
              },
            },
          },
        ],
      });
    },
  );

  it.each(MEMBER_ACCOUNTS)(
    'shows, read through IAM in %s, one inline policy allowing exactly the four EC2 actions',
    async (accountId) => {
      const { iam } = await accountClients(accountId, DEFAULT_REGION);
      const RoleName = DEFAULT_CONFIG.memberRoleName;
      const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName }));
      expect(PolicyNames).toEqual(['RemediateWorldOpenIngress']);
      const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
      expect(AttachedPolicies).toEqual([]);
      const { PolicyDocument } = await iam.send(
        new GetRolePolicyCommand({ RoleName, PolicyName: 'RemediateWorldOpenIngress' }),
      );
      // moto answers with the Python repr of the document CloudFormation gave it, not JSON;
      // parsePolicyDocument reads either form exactly (and would show a null for an AWS::NoValue left in).
      const document = parsePolicyDocument(PolicyDocument) as {
        Version: string;
        Statement: { Effect: string; Action: string | string[]; Resource: string }[];
      };
      expect(document.Version).toBe('2012-10-17');
      expect(document.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
      const actions = document.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions.sort()).toEqual([
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeSecurityGroups',
        'ec2:RevokeSecurityGroupIngress',
      ]);
      const mutating = document.Statement.filter((s) =>
        JSON.stringify(s.Action).includes('SecurityGroupIngress'),
      );
      expect(mutating.map((s) => s.Resource)).toEqual([
        `arn:aws:ec2:*:${accountId}:security-group/*`,
        `arn:aws:ec2:*:${accountId}:security-group/*`,
      ]);
    },
  );

  it.each(MEMBER_ACCOUNTS)(
    "lets the hub's credentials cache assume the deployed role in %s and describe its security groups",
    async (accountId) => {
      const member = await accountClients(accountId, DEFAULT_REGION);
      const { GroupId } = await member.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `stackset-it-${randomUUID()}`,
          Description: 'infra StackSet test',
        }),
      );
      if (!GroupId) throw new Error('CreateSecurityGroup returned no id');

      // The hub's STS client goes through a recording proxy: the emulator does not enforce trust
      // policies, so the request itself shows the role ARN and the ExternalId the hub presents.
      const cache = new StsCredentialsCache({
        sts: hubClients(DEFAULT_REGION, proxy.endpoint).sts,
        roleName: DEFAULT_CONFIG.memberRoleName,
        rolePath: DEFAULT_CONFIG.memberRolePath,
        externalId: EXTERNAL_ID,
      });
      const assumed = await cache.forAccount(accountId);

      const { stack } = await memberStack(accountId);
      const deployedArn = stack.Outputs?.find((o) => o.OutputKey === 'MemberRoleArn')?.OutputValue;
      expect(assumed.accountId).toBe(accountId);
      expect(assumed.roleArn).toBe(deployedArn);
      const assumeRequests = proxy.requests.filter(
        (r) => r.action === 'AssumeRole' && r.params.RoleArn === deployedArn,
      );
      expect(assumeRequests).toHaveLength(1);
      expect(assumeRequests[0]?.params.ExternalId).toBe(EXTERNAL_ID);

      const ec2 = new EC2Client(
        awsClientConfig({ region: DEFAULT_REGION, credentials: assumed.credentials }),
      );
      const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }));
      expect(SecurityGroups?.map((g) => [g.GroupId, g.OwnerId])).toEqual([[GroupId, accountId]]);
    },
  );
});
