import {
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Fn,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RemediationHubConfig } from '../config.js';
import { EXTERNAL_ID_PATTERN } from './HubStack.js';

/** The member role's actions, exactly; `AuthorizeSecurityGroupIngress` only while AllowAuthorizeIngress is true. */
export const MEMBER_ROLE_ACTIONS = {
  describe: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  revoke: ['ec2:RevokeSecurityGroupIngress'],
  authorize: ['ec2:AuthorizeSecurityGroupIngress'],
} as const;

export interface MemberRoleStackProps extends StackProps {
  readonly config: RemediationHubConfig;
}

/**
 * The role the hub assumes in each member account. StackSet-safe: parameters only, no bootstrap-version
 * rule, no CDK metadata, no assets (the bootstrapless synthesizer refuses them).
 */
export class MemberRoleStack extends Stack {
  readonly role: CfnRole;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, {
      description: 'remediation-hub member role: lets the hub function describe and close world-open ingress',
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
    this.templateOptions.templateFormatVersion = '2010-09-09';
    const { config } = props;

    const hubAccountId = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      allowedPattern: '^[0-9]{12}$',
      description: 'The account the hub is deployed in (the HubAccountId output of the hub stack)',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      noEcho: true,
      allowedPattern: EXTERNAL_ID_PATTERN,
      description: "The hub's MemberExternalId: the hub must present it to assume this role",
    });
    const allowAuthorize = new CfnParameter(this, 'AllowAuthorizeIngress', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'Allow ec2:AuthorizeSecurityGroupIngress, which the narrow strategy and undo need',
    });
    const authorizeAllowed = new CfnCondition(this, 'AuthorizeAllowed', {
      expression: Fn.conditionEquals(allowAuthorize.valueAsString, 'true'),
    });

    // Fn::Sub placeholders: the parameter by its logical id.
    const hubAccount = `\${${hubAccountId.logicalId}}`;
    const hubRoleArn = Fn.sub(
      `arn:\${AWS::Partition}:iam::${hubAccount}:role${config.hubRolePath}${config.hubRoleName}`,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    const securityGroups = Fn.sub('arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:security-group/*');

    this.role = new CfnRole(this, 'MemberRole', {
      roleName: config.memberRoleName,
      path: config.memberRolePath,
      description:
        'Assumed by the remediation-hub function (with the external id) to close world-open ingress',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'HubFunctionWithExternalId',
            Effect: 'Allow',
            Principal: { AWS: Fn.sub(`arn:\${AWS::Partition}:iam::${hubAccount}:root`) },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'sts:ExternalId': externalId.valueAsString },
              // The principal's ARN, not the principal itself: trust survives re-creating the hub role.
              ArnEquals: { 'aws:PrincipalArn': hubRoleArn },
            },
          },
        ],
      },
      policies: [
        {
          policyName: 'RemediateWorldOpenIngress',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ReadSecurityGroups',
                Effect: 'Allow',
                Action: [...MEMBER_ROLE_ACTIONS.describe],
                Resource: '*',
              },
              {
                Sid: 'RevokeIngress',
                Effect: 'Allow',
                Action: [...MEMBER_ROLE_ACTIONS.revoke],
                Resource: securityGroups,
              },
              Fn.conditionIf(
                authorizeAllowed.logicalId,
                {
                  Sid: 'AuthorizeIngressForNarrowAndUndo',
                  Effect: 'Allow',
                  Action: [...MEMBER_ROLE_ACTIONS.authorize],
                  Resource: securityGroups,
                },
                Aws.NO_VALUE,
              ),
            ],
          },
        },
      ],
    });

    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeSecurityGroups and ec2:DescribeSecurityGroupRules do not support resource-level ' +
          'permissions; they read only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*]',
        reason:
          'The hub closes exposures on any security group of this account, in any region, named by the alert; ' +
          'the resource is limited to security groups of this account.',
      },
    );

    new CfnOutput(this, 'MemberRoleArn', { value: this.role.attrArn });
  }
}
