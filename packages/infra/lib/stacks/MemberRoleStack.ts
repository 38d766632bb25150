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

/**
 * What OperatorRoleArn accepts: empty (no operator), or one IAM role ARN, path included, without the `*` and
 * `?` wildcards that ArnEquals would otherwise honour.
 */
export const OPERATOR_ROLE_ARN_PATTERN =
  '^(arn:aws[a-z-]*:iam::[0-9]{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64})?$';

/** OperatorRoleArn's description, shared by the member-role template and the StackSet stack. */
export const OPERATOR_ROLE_ARN_DESCRIPTION =
  'Optional: the ARN (with its path, no wildcards) of one role in the hub account that operators assume to ' +
  'run remediation-hub undo; the member role then trusts it as well, still only with the ExternalId. Empty ' +
  '(the default): the hub function alone. Hold that role tightly: break-glass, assumable only by named ' +
  'people with MFA, every session logged.';

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
    const operatorRoleArn = new CfnParameter(this, 'OperatorRoleArn', {
      type: 'String',
      default: '',
      allowedPattern: OPERATOR_ROLE_ARN_PATTERN,
      description: OPERATOR_ROLE_ARN_DESCRIPTION,
    });
    const operatorRoleGiven = new CfnCondition(this, 'OperatorRoleGiven', {
      expression: Fn.conditionNot(Fn.conditionEquals(operatorRoleArn.valueAsString, '')),
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
        'Assumed with the external id by the remediation-hub function to close world-open ingress ' +
        '(and by OperatorRoleArn, if set, to undo)',
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
              // The operator role joins the list only when given: the whole value is chosen by Fn::If, so
              // no AWS::NoValue sits inside a list (which moto would keep as a null).
              ArnEquals: {
                'aws:PrincipalArn': Fn.conditionIf(
                  operatorRoleGiven.logicalId,
                  [hubRoleArn, operatorRoleArn.valueAsString],
                  hubRoleArn,
                ),
              },
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
