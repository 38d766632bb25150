import {
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type EC2ClientConfig,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  AWS_REGIONS,
  type ControlDefinition,
  type CredentialsProvider,
  type GroupScan,
  MalformedSecurityGroupError,
  partitionOfRegion,
  type Strategy,
  scanGroup,
} from '@remediation-hub/core';
import {
  awsErrorCode,
  EC2_DESCRIBE_RATE,
  mapAwsError,
  type RateLimiter,
  TokenBucketLimiter,
} from '@remediation-hub/hub-handler';

/** Errors that mean "this region is not enabled in the account" (or the role may not act there). */
const REGION_NOT_ENABLED = new Set(['OptInRequired', 'AuthFailure', 'UnauthorizedOperation']);

/** DescribeSecurityGroups' largest page. */
export const MAX_PAGE_SIZE = 1000;

export interface ScanAccountOptions {
  accountId: string;
  /** The regions to scan, or `all`: the account's enabled regions (DescribeRegions, else every known one). */
  regions: readonly string[] | 'all';
  /** The hub's region: where DescribeRegions is asked. */
  hubRegion: string;
  /** The member role's credentials (the hub's STS cache: one AssumeRole per account, renewed as needed). */
  credentials: CredentialsProvider;
  /** Merged into each EC2 client (endpoint, retries). */
  ec2ClientConfig?: Partial<EC2ClientConfig>;
  /** Paces Describe calls per account and region (default: EC2's Describe bucket, 100 and 20 per s). */
  limiter?: RateLimiter;
  strategy: Strategy;
  exemptTagKey: string;
  now: Date;
  /** The controls to plan against (default: the whole registry). */
  controls?: readonly ControlDefinition[] | undefined;
  /** Groups per DescribeSecurityGroups page (5 to 1,000). */
  pageSize?: number;
  /** One line per page and region (the CLI shows them on a terminal). */
  onProgress?: (line: string) => void;
}

export interface ScannedGroup extends GroupScan {
  region: string;
  ownerId: string | undefined;
}

export interface RegionScan {
  region: string;
  /** `skipped`: not enabled in the account (or refused there): `reason` says which error. */
  status: 'scanned' | 'skipped';
  reason?: string | undefined;
  pages: number;
  groups: number;
}

export interface AccountScan {
  accountId: string;
  regions: RegionScan[];
  groups: ScannedGroup[];
  /** Groups the planner could not read (a tcp permission without ports, ...): listed, never planned. */
  unreadable: Array<{ region: string; groupId: string; message: string }>;
  /** How the region list of `--all-regions` was found. */
  regionSource: 'given' | 'describe-regions' | 'known-regions';
}

/**
 * Reads every security group of an account, region by region, through the member role, and plans each against
 * the registry (`scanGroup`). Paged (`NextToken`) and paced per account and region like the hub's own calls.
 * A region that is not enabled in the account is `skipped`, not an error.
 */
export async function scanAccount(options: ScanAccountOptions): Promise<AccountScan> {
  const limiter = options.limiter ?? new TokenBucketLimiter(EC2_DESCRIBE_RATE);
  const progress = options.onProgress ?? (() => {});
  const credentials = async () => (await options.credentials.forAccount(options.accountId)).credentials;
  const ec2For = (region: string) =>
    new EC2Client({
      retryMode: 'adaptive',
      maxAttempts: 5,
      ...options.ec2ClientConfig,
      region,
      credentials,
    });

  const {
    regions,
    source: regionSource,
    skipped,
  } = options.regions === 'all'
    ? await accountRegions(ec2For(options.hubRegion), options, limiter)
    : { regions: [...options.regions], source: 'given' as const, skipped: [] as RegionScan[] };

  const result: AccountScan = {
    accountId: options.accountId,
    regions: [...skipped],
    groups: [],
    unreadable: [],
    regionSource,
  };
  for (const region of regions) {
    const ec2 = ec2For(region);
    const scan: RegionScan = { region, status: 'scanned', pages: 0, groups: 0 };
    try {
      let token: string | undefined;
      do {
        await limiter.acquire(`${options.accountId}:${region}`);
        const page = await ec2.send(
          new DescribeSecurityGroupsCommand({
            MaxResults: options.pageSize ?? MAX_PAGE_SIZE,
            NextToken: token,
          }),
        );
        scan.pages += 1;
        for (const group of page.SecurityGroups ?? []) {
          scan.groups += 1;
          plan(group, region, options, result);
        }
        token = page.NextToken || undefined;
        progress(
          `${options.accountId} ${region}: ${scan.groups} security groups (${scan.pages} page${scan.pages === 1 ? '' : 's'})${token ? ', reading on' : ''}`,
        );
      } while (token !== undefined);
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === undefined || !REGION_NOT_ENABLED.has(code) || scan.pages > 0) {
        throw mapAwsError(error, `ec2:DescribeSecurityGroups in ${region}`, {
          accountId: options.accountId,
          region,
        });
      }
      scan.status = 'skipped';
      scan.reason = `${code}: not enabled in the account, or the member role may not describe there`;
      progress(`${options.accountId} ${region}: skipped (${code})`);
    } finally {
      ec2.destroy();
    }
    result.regions.push(scan);
  }
  return result;
}

function plan(group: SecurityGroup, region: string, options: ScanAccountOptions, result: AccountScan): void {
  try {
    const scanned = scanGroup(group, {
      strategy: options.strategy,
      exemptTagKey: options.exemptTagKey,
      now: options.now,
      controls: options.controls,
    });
    result.groups.push({ ...scanned, region, ownerId: group.OwnerId });
  } catch (error) {
    if (!(error instanceof MalformedSecurityGroupError)) throw error;
    result.unreadable.push({ region, groupId: group.GroupId ?? '?', message: error.message });
  }
}

/**
 * The account's regions for `--all-regions`: EC2 DescribeRegions with the member credentials (those it says are
 * `not-opted-in` are skipped); when the member role may not call it (it needs only the security-group actions),
 * every known region of the hub's partition, the ones not enabled then skipped by their own error.
 */
async function accountRegions(
  ec2: EC2Client,
  options: ScanAccountOptions,
  limiter: RateLimiter,
): Promise<{ regions: string[]; source: AccountScan['regionSource']; skipped: RegionScan[] }> {
  try {
    await limiter.acquire(`${options.accountId}:${options.hubRegion}`);
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    const regions: string[] = [];
    const skipped: RegionScan[] = [];
    for (const { RegionName: name, OptInStatus: status } of Regions) {
      if (!name) continue;
      if (status === 'not-opted-in') {
        skipped.push({
          region: name,
          status: 'skipped',
          reason: 'not enabled in the account (not-opted-in)',
          pages: 0,
          groups: 0,
        });
      } else {
        regions.push(name);
      }
    }
    return { regions: regions.sort(), source: 'describe-regions', skipped };
  } catch (error) {
    const code = awsErrorCode(error);
    if (code !== 'UnauthorizedOperation' && code !== 'AccessDenied') {
      throw mapAwsError(error, `ec2:DescribeRegions in ${options.hubRegion}`, {
        accountId: options.accountId,
      });
    }
    const partition = partitionOfRegion(options.hubRegion);
    return {
      regions: AWS_REGIONS.filter((region) => partitionOfRegion(region) === partition),
      source: 'known-regions',
      skipped: [],
    };
  } finally {
    ec2.destroy();
  }
}
