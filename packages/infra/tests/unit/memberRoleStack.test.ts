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

const template = templateOf(STACK_NAMES.memberRole);
const json = readTemplate(STACK_NAMES.memberRole);
const role = onlyResource(json, 'AWS::IAM::Role');

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; [key: string]: unknown };

/** The member role's allowed actions when the template is deployed with these parameter values. */
function allowedActions(source: CfnTemplate, parameters: Record<string, string>): string[] {
  const value = (name: string) => parameters[name] ?? String(source.Parameters?.[name]?.Default);
  const condition = (name: string): boolean => {
    const equals = source.Conditions?.[name] as { 'Fn::Equals': [{ Ref: string }, string] } | undefined;
    if (equals === undefined) throw new Error(`no condition ${name}`);
    const [left, right] = equals['Fn::Equals'];
    return value(left.Ref) === right;
  };
  const properties = onlyResource(source, 'AWS::IAM::Role').properties;
  const statements = (properties.Policies as { PolicyDocument: { Statement: unknown[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
  const chosen = statements.flatMap((statement) => {
    const branch = (statement as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If'];
    if (branch === undefined) return [statement as Statement];
    return condition(branch[0]) ? [branch[1]] : [];
  });
  expect(chosen.every((s) => s.Effect === 'Allow')).toBe(true);
  return chosen.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

describe('MemberRoleStack', () => {
  it('is StackSet-safe: no bootstrap-version rule, no CDK metadata, no assets, parameters only', () => {
    expect(json.Rules).toBeUndefined();
    expect(Object.keys(json.Parameters ?? {}).sort()).toEqual([
      'AllowAuthorizeIngress',
      'ExternalId',
      'HubAccountId',
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

  it('trusts the hub account only for the hub function role, only with the ExternalId', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'HubFunctionWithExternalId',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
            Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' } },
            Condition: {
              StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
              ArnEquals: {
                'aws:PrincipalArn': {
                  'Fn::Sub': `arn:\${AWS::Partition}:iam::\${HubAccountId}:role${DEFAULT_CONFIG.hubRolePath}${DEFAULT_CONFIG.hubRoleName}`,
                },
              },
            },
          },
        ],
      },
    });
    expect(json.Parameters?.ExternalId?.NoEcho).toBe(true);
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
