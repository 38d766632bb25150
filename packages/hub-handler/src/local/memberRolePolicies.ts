/** The member role's name, path and inline policy name, as `local up` (and infra's StackSet) create it. */
export const MEMBER_ROLE = {
  name: 'RemediationHubMemberRole',
  path: '/remediation-hub/',
  policyName: 'RemediationHubSecurityGroupIngress',
} as const;

/**
 * The member role's only permissions: read security groups, and change ingress rules of security groups
 * of its own account. Nothing else (no egress, no deletion, no tagging).
 */
export function memberRolePolicyDocument(options: { partition?: string; accountId: string }) {
  const partition = options.partition ?? 'aws';
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:DescribeSecurityGroups'],
        // Describe* actions do not support resource-level permissions.
        Resource: '*',
      },
      {
        Sid: 'ChangeIngressRules',
        Effect: 'Allow',
        Action: ['ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress'],
        Resource: `arn:${partition}:ec2:*:${options.accountId}:security-group/*`,
      },
    ],
  };
}

/** Trust: the hub account only, and only with the external id (the confused-deputy guard). */
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
