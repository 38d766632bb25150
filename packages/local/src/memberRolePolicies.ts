/** The member role's name, path and inline policy name, as `local up` (and infra's StackSet) create it. */
export const MEMBER_ROLE = {
  name: 'RemediationHubMemberRole',
  path: '/remediation-hub/',
  policyName: 'RemediateWorldOpenIngress',
} as const;

/**
 * The member role's only permissions, the same as infra's member role (`MemberRoleStack`, with
 * AllowAuthorizeIngress true): read security groups, and change ingress rules of security groups of its
 * own account. Nothing else (no egress, no deletion, no tagging).
 */
export function memberRolePolicyDocument(options: { partition?: string; accountId: string }) {
  const partition = options.partition ?? 'aws';
  const securityGroups = `arn:${partition}:ec2:*:${options.accountId}:security-group/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
        // Describe* actions do not support resource-level permissions.
        Resource: '*',
      },
      {
        Sid: 'RevokeIngress',
        Effect: 'Allow',
        Action: ['ec2:RevokeSecurityGroupIngress'],
        Resource: securityGroups,
      },
      {
        Sid: 'AuthorizeIngressForNarrowAndUndo',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress'],
        Resource: securityGroups,
      },
    ],
  };
}

/**
 * Trust: the hub account only, and only with the external id (the confused-deputy guard). Infra's role
 * also pins the hub function's role ARN (`aws:PrincipalArn`); on the emulator the hub runs with the hub
 * account's placeholder keys, not a role, so `local up` trusts the account.
 */
export function memberRoleTrustPolicy(options: {
  partition?: string;
  hubAccountId: string;
  externalId: string;
}) {
  const partition = options.partition ?? 'aws';
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RemediationHub',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${options.hubAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': options.externalId } },
      },
    ],
  };
}
