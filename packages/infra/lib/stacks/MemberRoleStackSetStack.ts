import { BootstraplessSynthesizer, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import type { RemediationHubConfig } from '../config.js';
import { EXTERNAL_ID_PATTERN } from './HubStack.js';
import { OPERATOR_ROLE_ARN_DESCRIPTION, OPERATOR_ROLE_ARN_PATTERN } from './MemberRoleStack.js';

export interface MemberRoleStackSetStackProps extends StackProps {
  readonly config: RemediationHubConfig;
  /** The member-role template (as synthesized by MemberRoleStack), embedded as the StackSet's body. */
  readonly memberRoleTemplate: object;
}

/**
 * For the management or a delegated-administrator account: a service-managed StackSet of the member-role
 * template that deploys automatically to every account of the target organisational units, including
 * accounts that join later, and removes the role from accounts that leave.
 */
export class MemberRoleStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetStackProps) {
    super(scope, id, {
      description: 'remediation-hub: StackSet that puts the member role into every account of the target OUs',
      ...props,
      // Deployable with plain CloudFormation: management accounts are rarely CDK-bootstrapped.
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
    this.templateOptions.templateFormatVersion = '2010-09-09';

    const organizationalUnitIds = new CfnParameter(this, 'OrganizationalUnitIds', {
      type: 'CommaDelimitedList',
      description: 'Organisational units (ou-... or the root r-...) whose accounts get the member role',
    });
    const regions = new CfnParameter(this, 'Regions', {
      type: 'CommaDelimitedList',
      default: 'us-east-1',
      description:
        'Region of the stack instances. IAM is global: give exactly one region, a second one would collide on the role name',
    });
    const hubAccountId = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      allowedPattern: '^[0-9]{12}$',
      description: 'The account the hub is deployed in',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      noEcho: true,
      allowedPattern: EXTERNAL_ID_PATTERN,
      description: "The hub stack's MemberExternalId",
    });
    const allowAuthorize = new CfnParameter(this, 'AllowAuthorizeIngress', {
      type: 'String',
      default: 'true',
      allowedValues: ['true', 'false'],
      description: 'Allow ec2:AuthorizeSecurityGroupIngress (the narrow strategy and undo need it)',
    });
    const operatorRoleArn = new CfnParameter(this, 'OperatorRoleArn', {
      type: 'String',
      default: '',
      allowedPattern: OPERATOR_ROLE_ARN_PATTERN,
      description: OPERATOR_ROLE_ARN_DESCRIPTION,
    });
    const callAs = new CfnParameter(this, 'CallAs', {
      type: 'String',
      default: 'SELF',
      allowedValues: ['SELF', 'DELEGATED_ADMIN'],
      description: 'SELF in the management account, DELEGATED_ADMIN in a delegated-administrator account',
    });

    this.stackSet = new CfnStackSet(this, 'MemberRoleStackSet', {
      stackSetName: props.config.stackSetName,
      description: 'remediation-hub member role',
      permissionModel: 'SERVICE_MANAGED',
      callAs: callAs.valueAsString,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      managedExecution: { Active: true },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: [
        { parameterKey: 'HubAccountId', parameterValue: hubAccountId.valueAsString },
        { parameterKey: 'ExternalId', parameterValue: externalId.valueAsString },
        { parameterKey: 'AllowAuthorizeIngress', parameterValue: allowAuthorize.valueAsString },
        { parameterKey: 'OperatorRoleArn', parameterValue: operatorRoleArn.valueAsString },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: organizationalUnitIds.valueAsList },
          regions: regions.valueAsList,
        },
      ],
      templateBody: JSON.stringify(props.memberRoleTemplate),
    });
  }
}
