/**
 * Structural copies of the EC2 SDK v3 shapes the core reads and writes. The core cannot import
 * `@aws-sdk/*`; these are assignable to and from the SDK's own types (`?: T | undefined`).
 */
export interface IpRange {
  CidrIp?: string | undefined;
  Description?: string | undefined;
}
export interface Ipv6Range {
  CidrIpv6?: string | undefined;
  Description?: string | undefined;
}
export interface PrefixListId {
  PrefixListId?: string | undefined;
  Description?: string | undefined;
}
export interface UserIdGroupPair {
  GroupId?: string | undefined;
  GroupName?: string | undefined;
  UserId?: string | undefined;
  VpcId?: string | undefined;
  VpcPeeringConnectionId?: string | undefined;
  PeeringStatus?: string | undefined;
  Description?: string | undefined;
}
export interface IpPermission {
  IpProtocol?: string | undefined;
  FromPort?: number | undefined;
  ToPort?: number | undefined;
  IpRanges?: IpRange[] | undefined;
  Ipv6Ranges?: Ipv6Range[] | undefined;
  PrefixListIds?: PrefixListId[] | undefined;
  UserIdGroupPairs?: UserIdGroupPair[] | undefined;
}
export interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}
export interface SecurityGroup {
  GroupId?: string | undefined;
  GroupName?: string | undefined;
  Description?: string | undefined;
  OwnerId?: string | undefined;
  VpcId?: string | undefined;
  IpPermissions?: IpPermission[] | undefined;
  IpPermissionsEgress?: IpPermission[] | undefined;
  Tags?: Tag[] | undefined;
}

/** Where a security group lives. */
export interface GroupTarget {
  accountId: string;
  region: string;
  groupId: string;
}
