import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, STACK_NAMES } from '../../lib/config.js';
import { formatTemplate } from '../../lib/memberRoleTemplate.js';
import { MEMBER_ROLE_TEMPLATE_FILE } from '../../lib/paths.js';
import {
  assemblyFiles,
  type CfnTemplate,
  onlyResource,
  readTemplate,
  templateOf,
} from '../support/assembly.js';
import { resolveConditions } from '../support/resolveConditions.js';

const template = templateOf(STACK_NAMES.memberRole);
const json = readTemplate(STACK_NAMES.memberRole);
const role = onlyResource(json, 'AWS::IAM::Role');

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; [key: string]: unknown };

/** The member role's allowed actions when the template is deployed with these parameter values. */
function allowedActions(source: CfnTemplate, parameters: Record<string, string>): string[] {
  const properties = onlyResource(source, 'AWS::IAM::Role').properties;
  const policies = resolveConditions(source, parameters, properties.Policies) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  const chosen = policies.flatMap((policy) => policy.PolicyDocument.Statement);
  expect(chosen.every((s) => s.Effect === 'Allow')).toBe(true);
  return chosen.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** The member role's trust policy when the template is deployed with these parameter values. */
function trustPolicy(source: CfnTemplate, parameters: Record<string, string>): unknown {
  const properties = onlyResource(source, 'AWS::IAM::Role').properties;
  return resolveConditions(source, parameters, properties.AssumeRolePolicyDocument);
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const hubRoot = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' };
const hubRoleArn = {
  'Fn::Sub': `arn:\${AWS::Partition}:iam::\${HubAccountId}:role${DEFAULT_CONFIG.hubRolePath}${DEFAULT_CONFIG.hubRoleName}`,
};
/** The one trust statement, with the principal ARN condition given. */
const trustStatement = (principalArn: unknown) => ({
  Sid: 'HubFunctionWithExternalId',
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Principal: { AWS: hubRoot },
  Condition: {
    StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
    ArnEquals: { 'aws:PrincipalArn': principalArn },
  },
});
const OPERATOR_ROLE =
  'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_0123456789abcdef';

describe('MemberRoleStack', () => {
  it('is StackSet-safe: no bootstrap-version rule, no CDK metadata, no assets, parameters only', () => {
    expect(json.Rules).toBeUndefined();
    expect(Object.keys(json.Parameters ?? {}).sort()).toEqual([
      'AllowAuthorizeIngress',
      'ExternalId',
      'HubAccountId',
      'OperatorRoleArn',
    ]);
    template.resourceCountIs('AWS::CDK::Metadata', 0);
    expect(Object.keys(json.Resources)).toEqual(['MemberRole']);
    expect(assemblyFiles()).not.toContain(`${STACK_NAMES.memberRole}.assets.json`);
    expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|BootstrapVersion|aws:cdk:path|aws:asset/);
  });

  it('has a fixed name and path, the ones the hub assumes', () => {
    expect(role.properties).toMatchObject({
      RoleName: DEFAULT_CONFIG.memberRoleName,
      Path: DEFAULT_CONFIG.memberRolePath,
    });
  });

  it('trusts the hub account only for the hub function role, only with the ExternalId, by default', () => {
    expect(json.Parameters?.OperatorRoleArn?.Default).toBe('');
    expect(trustPolicy(json, {})).toEqual({ Version: '2012-10-17', Statement: [trustStatement(hubRoleArn)] });
    expect(json.Parameters?.ExternalId?.NoEcho).toBe(true);
  });

  it('also trusts the operator role, with the same ExternalId, when OperatorRoleArn is set', () => {
    expect(trustPolicy(json, { OperatorRoleArn: OPERATOR_ROLE })).toEqual({
      Version: '2012-10-17',
      Statement: [trustStatement([hubRoleArn, { Ref: 'OperatorRoleArn' }])],
    });
  });

  it('chooses the principal ARN condition with Fn::If on OperatorRoleArn being non-empty', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          trustStatement({
            'Fn::If': ['OperatorRoleGiven', [hubRoleArn, { Ref: 'OperatorRoleArn' }], hubRoleArn],
          }),
        ],
      },
    });
    expect(json.Conditions?.OperatorRoleGiven).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OperatorRoleArn' }, ''] }],
    });
  });

  it('accepts one exact role ARN or nothing as OperatorRoleArn, and asks that the role be tightly held', () => {
    const parameter = json.Parameters?.OperatorRoleArn;
    const pattern = new RegExp(String(parameter?.AllowedPattern));
    for (const accepted of [
      '',
      OPERATOR_ROLE,
      'arn:aws:iam::123456789012:role/RemediationHubOperator',
      'arn:aws-us-gov:iam::123456789012:role/break-glass/RemediationHubOperator',
    ]) {
      expect(pattern.test(accepted), accepted).toBe(true);
    }
    for (const refused of [
      'arn:aws:iam::123456789012:role/*',
      'arn:aws:iam::123456789012:role/Remediation?ubOperator',
      'arn:aws:iam::*:role/RemediationHubOperator',
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:iam::123456789012:root',
      'arn:aws:sts::123456789012:assumed-role/RemediationHubOperator/alice',
      'arn:aws:iam::123456789012:role/path/',
      ' arn:aws:iam::123456789012:role/RemediationHubOperator',
    ]) {
      expect(pattern.test(refused), refused).toBe(false);
    }
    expect(parameter?.Description).toMatch(/MFA/);
    expect(parameter?.Description).toMatch(/break-glass/);
  });

  it('allows exactly describe, revoke and (by default) authorize ingress', () => {
    expect(allowedActions(json, {})).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupIngress',
    ]);
    expect(role.properties.ManagedPolicyArns).toBeUndefined();
  });

  it('drops AuthorizeSecurityGroupIngress when AllowAuthorizeIngress is false', () => {
    expect(allowedActions(json, { AllowAuthorizeIngress: 'false' })).toEqual([
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeSecurityGroups',
      'ec2:RevokeSecurityGroupIngress',
    ]);
  });

  it('changes ingress only on security groups of its own account', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    const ownGroups = { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:security-group/*' };
    const statements = (role.properties.Policies as { PolicyDocument: { Statement: unknown[] } }[])
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .map(
        (statement) => (statement as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If']?.[1] ?? statement,
      )
      .map((statement) => statement as Statement);
    const mutating = statements.filter((s) => JSON.stringify(s.Action).includes('SecurityGroupIngress'));
    expect(mutating.map((s) => s.Action)).toEqual([
      ['ec2:RevokeSecurityGroupIngress'],
      ['ec2:AuthorizeSecurityGroupIngress'],
    ]);
    for (const statement of mutating) expect(statement.Resource).toEqual(ownGroups);
    const reading = statements.filter((s) => s.Resource === '*');
    expect(reading.flatMap((s) => s.Action)).toEqual([
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSecurityGroupRules',
    ]);
  });

  it('is the committed standalone template (run `pnpm synth` after changing infra)', () => {
    expect(readFileSync(MEMBER_ROLE_TEMPLATE_FILE, 'utf8')).toBe(formatTemplate(json));
  });
});
