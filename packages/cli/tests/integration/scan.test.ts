import type { IpPermission } from '@aws-sdk/client-ec2';
import { EC2_DESCRIBE_RATE } from '@remediation-hub/hub-handler';
import {
  assumeAccount,
  createGroup,
  ec2Error,
  emulatorEndpoint,
  ingressRules,
  type LocalUpResult,
  OFFICE_SSH,
  type RecordingProxy,
  startRecordingProxy,
  upTestHub,
  WORLD_HTTPS,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScanReport } from '../../src/format/renderScan.js';
import { main } from '../../src/main.js';
import { scanAccount } from '../../src/operations/scanAccount.js';

// Accounts 777777770011-019 belong to this file.
const S = '777777770011';
const DRY = '777777770012';
const PAGED = '777777770013';
const KEY = 'remediation-hub:exempt';

const WORLD_RDP: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 3389,
  ToPort: 3389,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};
const WORLD_MYSQL: IpPermission = {
  IpProtocol: 'tcp',
  FromPort: 3306,
  ToPort: 3306,
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
};
const ALL_V6: IpPermission = { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

/** `YYYY-MM-DD` of the UTC day `days` away from now. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('remediation-hub scan', () => {
  let up: LocalUpResult;
  beforeAll(async () => {
    up = await upTestHub('scan', [S, DRY, PAGED]);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    for (const [name, value] of Object.entries({ ...up.env, LOG_LEVEL: 'error', ...env }))
      vi.stubEnv(name, value);
    let out = '';
    let err = '';
    const code = await main(args, {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
      isTty: false,
    });
    return { code, out, err };
  };
  const scanJson = async (args: string[], env: Record<string, string> = {}): Promise<ScanReport> => {
    const run = await cli(['scan', ...args, '--json'], env);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    return JSON.parse(run.out) as ScanReport;
  };
  const exposures = (report: ScanReport) =>
    report.exposures.map((e) => `${e.region} ${e.groupId} ${e.control}`).sort();

  it('lists exactly the exposures of an account in two regions, closes them through the queue, and sends nothing the second time', async () => {
    const ssh = await createGroup(S, 'us-east-1', [WORLD_SSH, OFFICE_SSH]);
    const https = await createGroup(S, 'us-east-1', [WORLD_HTTPS]);
    const until = day(30);
    const exempt = await createGroup(S, 'us-east-1', [WORLD_RDP], { [KEY]: until });
    const expired = await createGroup(S, 'eu-west-1', [WORLD_MYSQL], { [KEY]: '2020-01-31' });
    const allV6 = await createGroup(S, 'eu-west-1', [ALL_V6]);
    const privateOnly = await createGroup(S, 'eu-west-1', [OFFICE_SSH]);

    // The dry run: what the hub would revoke, and what it leaves.
    const dry = await scanJson(['--account', S, '--region', 'us-east-1', '--region', 'eu-west-1']);
    expect(exposures(dry)).toEqual(
      [
        `us-east-1 ${ssh} evident/AWS:EC2-002`,
        `eu-west-1 ${expired} evident/AWS:EC2-009`,
        `eu-west-1 ${allV6} evident/AWS:EC2-002`,
      ].sort(),
    );
    expect(dry.regions.map((r) => [r.region, r.status])).toEqual([
      ['us-east-1', 'scanned'],
      ['eu-west-1', 'scanned'],
    ]);
    expect(dry.exemptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ groupId: exempt, kind: 'exempt', until, leftOpen: [WORLD_RDP] }),
        expect.objectContaining({ groupId: expired, kind: 'expired', until: '2020-01-31' }),
      ]),
    );
    expect(dry.left).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ groupId: https, why: 'no-control', rules: [WORLD_HTTPS] }),
        expect.objectContaining({ groupId: ssh, why: 'not-world', rules: [OFFICE_SSH] }),
      ]),
    );
    expect(dry.left.some((l) => l.groupId === privateOnly)).toBe(false);
    expect(dry.exposures.every((e) => e.action === undefined)).toBe(true);
    expect(await ingressRules(S, 'us-east-1', ssh)).toEqual(['tcp 22-22 0.0.0.0/0', 'tcp 22-22 10.0.0.0/8']);

    // The table for people says the same.
    const table = await cli(['scan', '--account', S, '--region', 'us-east-1', '--region', 'eu-west-1']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      /^scan of 777777770011: 2 regions, \d+ security groups, 3 exposures the hub would revoke in 3 groups\n/,
    );
    expect(table.out).toContain(
      `${KEY}=${until}: exempt until the end of ${until} UTC, leaving open tcp 3389 from 0.0.0.0/0`,
    );
    expect(table.out).toContain(`${KEY}=2020-01-31: the exemption expired at the end of 2020-01-31 UTC`);
    expect(table.out).toContain('dry run: nothing was sent; the hub remediates in 777777770011.');

    // --remediate: one finding per exposure through the hub queue, processed as alerts.
    const sent = await scanJson([
      '--account',
      S,
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--remediate',
    ]);
    expect(sent.counts).toMatchObject({ exposures: 3, sent: 3, notSent: 0 });
    expect(sent.exposures.map((e) => e.action)).toEqual([
      expect.objectContaining({ sent: true, why: 'new', episode: 1 }),
      expect.objectContaining({ sent: true, why: 'new', episode: 1 }),
      expect.objectContaining({ sent: true, why: 'new', episode: 1 }),
    ]);
    const consumed = await cli(['consume', '--once']);
    expect(consumed).toEqual({ code: 0, out: '3 message(s) processed: remediated 3\n', err: '' });
    expect(await ingressRules(S, 'us-east-1', ssh)).toEqual(['tcp 22-22 10.0.0.0/8']);
    expect(await ingressRules(S, 'eu-west-1', expired)).toEqual([]);
    expect(await ingressRules(S, 'eu-west-1', allV6)).toEqual([]);
    expect(await ingressRules(S, 'us-east-1', exempt)).toEqual(['tcp 3389-3389 0.0.0.0/0']);

    // Each exposure has a ledger record of its own, with its reason.
    const shown = await cli(['audit', 'show', `scan:${S}:eu-west-1:${expired}:evident/AWS:EC2-009`]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(
      `reason:       revoke tcp 3306 from 0.0.0.0/0 (evident/AWS:EC2-009, MySQL); the exemption ${KEY}=2020-01-31 expired at the end of 2020-01-31 UTC, so the group is no longer exempt`,
    );
    const listed = await cli(['audit', 'list', '--account', S, '--json']);
    expect(
      JSON.parse(listed.out).records.map((r: { outcome: string; source: string }) => [r.source, r.outcome]),
    ).toEqual([
      ['scan', 'remediated'],
      ['scan', 'remediated'],
      ['scan', 'remediated'],
    ]);

    // A second scan finds nothing more to send.
    const again = await cli([
      'scan',
      '--account',
      S,
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--remediate',
    ]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('0 exposures the hub would revoke');
    expect(again.out).toMatch(/nothing new to send; the hub remediates in 777777770011\.\n$/);
    expect(await cli(['consume', '--once'])).toMatchObject({ code: 0, out: '0 message(s) processed\n' });

    // Undone by the operator: a scan shows it open again, and never re-applies it.
    const undone = await cli(['undo', `scan:${S}:us-east-1:${ssh}:evident/AWS:EC2-002`]);
    expect(undone.code).toBe(0);
    const afterUndo = await scanJson(['--account', S, '--region', 'us-east-1', '--remediate']);
    expect(afterUndo.exposures).toEqual([
      expect.objectContaining({
        groupId: ssh,
        action: expect.objectContaining({ sent: false, why: 'undone', recorded: 'remediated' }),
      }),
    ]);
    expect(afterUndo.counts).toMatchObject({ sent: 0, notSent: 1 });
  });

  it('in a dry-run account, sends once, then not again until the account is switched to remediate', async () => {
    const ssh = await createGroup(DRY, 'us-east-1', [WORLD_SSH]);
    const args = ['--account', DRY, '--region', 'us-east-1', '--remediate'];
    const first = await scanJson(args, { DRY_RUN_ACCOUNTS: DRY });
    expect(first.standing).toBe('dry-run');
    expect(first.counts).toMatchObject({ exposures: 1, sent: 1 });
    expect(await cli(['consume', '--once'], { DRY_RUN_ACCOUNTS: DRY })).toMatchObject({
      out: '1 message(s) processed: dry-run 1\n',
    });

    const second = await scanJson(args, { DRY_RUN_ACCOUNTS: DRY });
    expect(second.exposures).toEqual([
      expect.objectContaining({
        groupId: ssh,
        action: expect.objectContaining({ sent: false, why: 'dry-run' }),
      }),
    ]);

    const switched = await scanJson(args, { DRY_RUN_ACCOUNTS: '' });
    expect(switched.exposures.map((e) => e.action)).toEqual([
      expect.objectContaining({ sent: true, why: 'again', episode: 1 }),
    ]);
    expect(await cli(['consume', '--once'])).toMatchObject({ out: '1 message(s) processed: remediated 1\n' });
    expect(await ingressRules(DRY, 'us-east-1', ssh)).toEqual([]);
  });

  describe('through a proxy in front of the emulator', () => {
    let proxy: RecordingProxy;
    beforeAll(async () => {
      proxy = await startRecordingProxy();
    });
    afterAll(async () => {
      await proxy.close();
    });
    const inRegion =
      (region: string, action: string) =>
      (r: { action: string | undefined; headers: Record<string, unknown> }) =>
        r.action === action && String(r.headers.authorization).includes(`/${region}/ec2/`);

    it('pages with NextToken, and reports a region that is not enabled as skipped', async () => {
      const ssh = await createGroup(PAGED, 'eu-central-1', [WORLD_SSH]);
      // EC2's first page says there is more; the emulator answers every group at once, so the first page is injected.
      proxy.failNext(inRegion('eu-central-1', 'DescribeSecurityGroups'), {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><securityGroupInfo/><nextToken>page-2</nextToken></DescribeSecurityGroupsResponse>`,
      });
      proxy.failNext(inRegion('ap-east-1', 'DescribeSecurityGroups'), {
        status: 401,
        body: ec2Error('OptInRequired', 'You are not subscribed to this service.'),
      });
      proxy.clear();
      const report = await scanJson(
        ['--account', PAGED, '--region', 'eu-central-1', '--region', 'ap-east-1', '--page-size', '5'],
        { AWS_ENDPOINT_URL: proxy.endpoint },
      );
      expect(report.regions).toEqual([
        { region: 'eu-central-1', status: 'scanned', pages: 2, groups: expect.any(Number) },
        {
          region: 'ap-east-1',
          status: 'skipped',
          reason: 'OptInRequired: not enabled in the account, or the member role may not describe there',
          pages: 0,
          groups: 0,
        },
      ]);
      expect(exposures(report)).toEqual([`eu-central-1 ${ssh} evident/AWS:EC2-002`]);
      const pages = proxy.requests.filter(inRegion('eu-central-1', 'DescribeSecurityGroups'));
      expect(pages.map((r) => [r.params.MaxResults, r.params.NextToken])).toEqual([
        ['5', undefined],
        ['5', 'page-2'],
      ]);
      // One AssumeRole for the account, whatever the regions and pages.
      expect(proxy.requests.filter((r) => r.action === 'AssumeRole')).toHaveLength(1);
    });

    it('takes the regions of --all-regions from DescribeRegions, and skips those not opted in', async () => {
      proxy.failNext(
        { action: 'DescribeRegions' },
        {
          status: 200,
          headers: { 'content-type': 'text/xml' },
          body: `<?xml version="1.0" encoding="UTF-8"?>
<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><regionInfo>
<item><regionName>us-west-2</regionName><regionEndpoint>ec2.us-west-2.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
<item><regionName>me-south-1</regionName><regionEndpoint>ec2.me-south-1.amazonaws.com</regionEndpoint><optInStatus>not-opted-in</optInStatus></item>
</regionInfo></DescribeRegionsResponse>`,
        },
      );
      const report = await scanJson(['--account', PAGED, '--all-regions'], {
        AWS_ENDPOINT_URL: proxy.endpoint,
      });
      expect(report.regionSource).toBe('describe-regions');
      expect(report.regions.map((r) => [r.region, r.status])).toEqual([
        ['me-south-1', 'skipped'],
        ['us-west-2', 'scanned'],
      ]);
    });
  });

  it("paces its Describe calls through a token bucket per account and region, the hub's own (100, 20 per s)", async () => {
    const keys: string[] = [];
    const credentials = await assumeAccount(S);
    const scan = await scanAccount({
      accountId: S,
      regions: ['us-east-1', 'eu-west-1'],
      hubRegion: 'us-east-1',
      credentials: {
        forAccount: async (accountId) => ({
          accountId,
          roleArn: `arn:aws:iam::${accountId}:role/x`,
          credentials: {
            ...credentials,
            sessionToken: credentials.sessionToken ?? '',
            expiration: new Date(Date.now() + 3_600_000),
          },
        }),
      },
      ec2ClientConfig: { endpoint: emulatorEndpoint() },
      limiter: { acquire: async (key) => void keys.push(key) },
      strategy: 'revoke',
      exemptTagKey: KEY,
      now: new Date(),
    });
    expect(keys).toEqual([`${S}:us-east-1`, `${S}:eu-west-1`]);
    expect(scan.regions.map((r) => r.pages)).toEqual([1, 1]);
    expect(EC2_DESCRIBE_RATE).toEqual({ capacity: 100, refillPerSecond: 20 });
  });

  it('shows its progress on a terminal only, on stderr, page by page', async () => {
    for (const [name, value] of Object.entries({ ...up.env, LOG_LEVEL: 'error' })) vi.stubEnv(name, value);
    let out = '';
    let err = '';
    const io = {
      stdout: (text: string) => {
        out += text;
      },
      stderr: (text: string) => {
        err += text;
      },
      isTty: true,
    };
    expect(await main(['scan', '--account', S, '--region', 'us-east-1', '--region', 'eu-west-1'], io)).toBe(
      0,
    );
    expect(err).toMatch(
      /^… 777777770011 us-east-1: \d+ security groups \(1 page\)\n… 777777770011 eu-west-1: \d+ security groups \(1 page\)\n$/,
    );
    expect(out).toMatch(/^scan of 777777770011: 2 regions/);
  });

  it('refuses what it cannot do, in one line with exit code 2', async () => {
    expect(await cli(['scan', '--account', S])).toEqual({
      code: 2,
      out: '',
      err: 'remediation-hub: give the regions to scan: --region R (repeat for several) or --all-regions\n',
    });
    expect((await cli(['scan', '--account', S, '--region', 'mars-1'])).err).toBe(
      "remediation-hub: option '--region <region>' argument 'mars-1' is invalid. expected an AWS region such as eu-west-1, got mars-1\n",
    );
    expect(await cli(['scan', '--account', '777777770019', '--region', 'us-east-1', '--remediate'])).toEqual({
      code: 2,
      out: '',
      err: "remediation-hub: 777777770019 is not on the hub's allow-list (ALLOWED_ACCOUNTS): the hub would reject its findings; scan without --remediate to see what it would do there once allowed\n",
    });
    expect(
      (await cli(['scan', '--account', S, '--region', 'us-east-1', '--remediate'], { QUEUE_URL: '' })).err,
    ).toBe(
      'remediation-hub: --remediate sends findings to the hub queue: give --queue-url or set QUEUE_URL\n',
    );
  });
});
