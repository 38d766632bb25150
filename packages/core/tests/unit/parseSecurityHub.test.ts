import { describe, expect, it } from 'vitest';
import { type Finding, MalformedAlertError, parseFindings } from '../../src/index.js';
import {
  type AsffFinding,
  eventWith,
  loadSecurityHubEvent,
  loadSecurityHubFinding,
  type SecurityHubEventName,
  securityHubEventText,
} from '../support/securityHubEvents.js';

/** The one finding of a message; throws its error when it is unreadable. */
function parseOne(input: unknown): Finding {
  const read = parseFindings(input);
  expect(read).toHaveLength(1);
  const [first] = read;
  if (first?.unreadable) throw first.unreadable.error;
  return first?.finding as Finding;
}

/** Reads a mutated copy of a fixture's finding, inside its event. */
function parseMutated(
  mutate: (finding: AsffFinding) => void,
  name: SecurityHubEventName = 'ec2.18-consolidated',
) {
  const finding = loadSecurityHubFinding(name);
  mutate(finding);
  return parseOne(eventWith([finding], name));
}

function errorFor(
  mutate: (finding: AsffFinding) => void,
  name: SecurityHubEventName = 'ec2.18-consolidated',
): MalformedAlertError {
  try {
    parseMutated(mutate, name);
  } catch (error) {
    if (error instanceof MalformedAlertError) return error;
    throw error;
  }
  throw new Error('expected a MalformedAlertError, but the finding was accepted');
}

/** The finding's (first) resource; fails the test when it has none. */
function group(finding: AsffFinding): AsffFinding['Resources'][number] {
  const [resource] = finding.Resources;
  if (resource === undefined) throw new Error('the fixture finding has no resource');
  return resource;
}

const FSBP_ID =
  'arn:aws:securityhub:us-east-1:363265257036:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/a98a1bc3-2bcd-49c0-b40e-edc09c4a059d';
const EC2_18_ID =
  'arn:aws:securityhub:eu-west-1:222222222222:security-control/EC2.18/finding/3f0b2a6e-5c1d-4e8f-9a7b-1c2d3e4f5a6b';

const EC2_18: Finding = {
  source: 'security-hub',
  id: EC2_18_ID,
  eventKey: 'FAILED#2025-03-04T02:15:28.917Z',
  status: 'FAILED',
  inactive: undefined,
  accountId: '222222222222',
  accountClaims: [
    { field: 'Resources[0].Id', accountId: '222222222222' },
    { field: 'Resources[0].Details.AwsEc2SecurityGroup.OwnerId', accountId: '222222222222' },
  ],
  region: 'eu-west-1',
  groupId: 'sg-0a1b2c3d4e5f60718',
  control: {
    id: 'EC2.18',
    name: 'Security groups should only allow unrestricted incoming traffic for authorized ports',
    parameters: {
      authorizedUdpPorts: [],
      authorizedTcpPorts: [
        { from: 80, to: 80 },
        { from: 443, to: 443 },
      ],
    },
  },
  riskLevel: 'HIGH',
  firstSeenAt: '2025-03-04T02:14:54.242Z',
  sourceRef: { productArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub', workflowStatus: 'NEW' },
};

describe('parseFindings: Security Hub findings', () => {
  describe('reads each form of finding', () => {
    it('the real per-standard FSBP sample (ProductFields.ControlId), from the SQS body text', () => {
      expect(parseOne(securityHubEventText('ec2.19-fsbp'))).toEqual({
        source: 'security-hub',
        id: FSBP_ID,
        eventKey: 'FAILED#2021-08-09T15:54:36.197Z',
        status: 'FAILED',
        inactive: undefined,
        accountId: '363265257036',
        accountClaims: [
          { field: 'Resources[0].Id', accountId: '363265257036' },
          { field: 'Resources[0].Details.AwsEc2SecurityGroup.OwnerId', accountId: '363265257036' },
        ],
        region: 'us-east-1',
        groupId: 'sg-061d7bbf4c68da2c7',
        control: {
          id: 'EC2.19',
          name: 'EC2.19 Security groups should not allow unrestricted access to ports with high risk',
        },
        riskLevel: 'MEDIUM',
        firstSeenAt: '2021-08-08T18:31:30.443Z',
        sourceRef: {
          productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          workflowStatus: 'NEW',
        },
      });
    });

    it('the consolidated form (Compliance.SecurityControlId) with EC2.18’s authorised ports', () => {
      expect(parseOne(securityHubEventText('ec2.18-consolidated'))).toEqual(EC2_18);
    });

    it.each([
      [
        'cis-4.1',
        'EC2.13',
        '4.1 Ensure no security groups allow ingress from 0.0.0.0/0 to port 22',
        'sg-0123456789abcdef0',
      ],
      [
        'cis-4.2',
        'EC2.14',
        '4.2 Ensure no security groups allow ingress from 0.0.0.0/0 to port 3389',
        'sg-0a0b0c0d0e0f01020',
      ],
    ] as const)(
      'the CIS 1.2.0 form (%s): ProductFields.RuleId mapped to %s',
      (name, control, title, groupId) => {
        expect(parseOne(loadSecurityHubEvent(name))).toMatchObject({
          source: 'security-hub',
          status: 'FAILED',
          inactive: undefined,
          accountId: '333333333333',
          region: 'us-east-1',
          groupId,
          control: { id: control, name: title },
          firstSeenAt: '2020-05-08T07:47:11.405Z',
        });
      },
    );

    it.each([
      ['ec2.53', 'EC2.53', 'FAILED#2025-06-11T09:02:19.871Z'],
      ['ec2.54', 'EC2.54', 'FAILED#2025-06-11T09:02:20.114Z'],
    ] as const)('%s, consolidated', (name, control, eventKey) => {
      const finding = parseOne(loadSecurityHubEvent(name));
      expect(finding).toMatchObject({
        eventKey,
        accountId: '444444444444',
        region: 'ap-northeast-1',
        groupId: 'sg-0f1e2d3c4b5a69788',
        control: { id: control },
        inactive: undefined,
      });
      expect(finding.control.parameters).toBeUndefined();
    });

    it('a bare ASFF finding, as an operator replays one', () => {
      expect(parseOne(loadSecurityHubFinding('ec2.18-consolidated'))).toEqual(EC2_18);
      expect(parseOne(JSON.stringify(loadSecurityHubFinding('ec2.18-consolidated')))).toEqual(EC2_18);
    });

    it('an event inside an SNS notification envelope', () => {
      const envelope = { Type: 'Notification', Message: securityHubEventText('ec2.18-consolidated') };
      expect(parseOne(JSON.stringify(envelope))).toEqual(EC2_18);
    });
  });

  describe('acts only on a failed, active finding that no person closed', () => {
    it('PASSED is not acted on', () => {
      expect(parseOne(loadSecurityHubEvent('ec2.13-passed'))).toMatchObject({
        status: 'PASSED',
        eventKey: 'PASSED#2025-03-04T03:41:08.551Z',
        inactive: { field: 'Compliance.Status', value: 'PASSED', actedOn: ['FAILED'] },
      });
    });

    it.each(['WARNING', 'NOT_AVAILABLE'])('%s is not acted on', (status) => {
      const finding = parseMutated((f) => {
        f.Compliance.Status = status;
      });
      expect(finding.inactive).toEqual({ field: 'Compliance.Status', value: status, actedOn: ['FAILED'] });
    });

    it('an archived record is not acted on', () => {
      const finding = parseMutated((f) => {
        f.RecordState = 'ARCHIVED';
      });
      expect(finding.inactive).toEqual({ field: 'RecordState', value: 'ARCHIVED', actedOn: ['ACTIVE'] });
    });

    it.each(['SUPPRESSED', 'RESOLVED'])('Workflow.Status %s is not acted on', (status) => {
      const finding =
        status === 'SUPPRESSED'
          ? parseOne(loadSecurityHubEvent('ec2.19-suppressed'))
          : parseMutated((f) => {
              f.Workflow = { Status: status };
            });
      expect(finding).toMatchObject({
        status: 'FAILED',
        inactive: { field: 'Workflow.Status', value: status, actedOn: ['NEW', 'NOTIFIED'] },
      });
    });

    it('acts on Workflow.Status NEW or NOTIFIED, or no Workflow at all', () => {
      for (const workflow of [{ Status: 'NOTIFIED' }, undefined, null]) {
        const finding = parseMutated((f) => {
          f.Workflow = workflow as AsffFinding['Workflow'];
        });
        expect(finding.inactive).toBeUndefined();
      }
    });

    it('names the first reason: a passed, archived finding is not acted on because it passed', () => {
      const finding = parseMutated((f) => {
        f.Compliance.Status = 'PASSED';
        f.RecordState = 'ARCHIVED';
        f.Workflow = { Status: 'SUPPRESSED' };
      });
      expect(finding.inactive?.field).toBe('Compliance.Status');
    });
  });

  describe('keys each notification by its status and UpdatedAt (the episode)', () => {
    it('a redelivery, or the event of the hub’s own BatchUpdateFindings, has the same key', () => {
      const first = parseOne(securityHubEventText('ec2.18-consolidated'));
      const echo = parseMutated((f) => {
        f.Workflow = { Status: 'NOTIFIED' };
        f.Note = { Text: 'remediation-hub: closed tcp 22', UpdatedBy: 'remediation-hub' };
      });
      expect(echo.eventKey).toBe(first.eventKey);
      expect(parseOne(securityHubEventText('ec2.18-consolidated')).eventKey).toBe(first.eventKey);
    });

    it('the same finding id failing again after it passed is a new notification', () => {
      const [failed] = parseFindings(loadSecurityHubEvent('multi-finding'));
      const passed = parseOne(loadSecurityHubEvent('ec2.13-passed'));
      const again = parseMutated((f) => {
        f.UpdatedAt = '2025-05-01T10:00:00.000Z';
      }, 'multi-finding');
      expect(new Set([failed?.finding?.id, passed.id, again.id]).size).toBe(1);
      expect(new Set([failed?.finding?.eventKey, passed.eventKey, again.eventKey]).size).toBe(3);
    });
  });

  it('never reads the event envelope’s account, region or resources', () => {
    const event = loadSecurityHubEvent('ec2.18-consolidated');
    event.account = '999999999999';
    event.region = 'us-west-2';
    event.resources = ['arn:aws:ec2:us-west-2:999999999999:security-group/sg-0999999999999999a'];
    event.id = 'another-event';
    expect(parseOne(event)).toEqual(EC2_18);
  });

  describe('names the control three ways', () => {
    it('Compliance.SecurityControlId first', () => {
      const finding = parseMutated((f) => {
        f.ProductFields = { ControlId: 'EC2.19', RuleId: '4.1' };
      });
      expect(finding.control.id).toBe('EC2.18');
    });

    it('then ProductFields.ControlId', () => {
      const finding = parseMutated((f) => {
        delete f.Compliance.SecurityControlId;
        f.ProductFields = { ControlId: 'EC2.19', RuleId: '4.1' };
      });
      expect(finding.control.id).toBe('EC2.19');
    });

    it('then ProductFields.RuleId of CIS 1.2.0; a rule that is no control here is kept, to be unsupported', () => {
      const finding = parseMutated((f) => {
        (f.ProductFields as Record<string, unknown>).RuleId = '2.3';
      }, 'cis-4.1');
      expect(finding.control.id).toBe('CIS 1.2.0 2.3');
      const inherited = parseMutated((f) => {
        (f.ProductFields as Record<string, unknown>).RuleId = 'constructor';
      }, 'cis-4.1');
      expect(inherited.control.id).toBe('CIS 1.2.0 constructor');
    });

    it('takes the control id as its name when the finding has no Title', () => {
      expect(
        parseMutated((f) => {
          delete f.Title;
        }).control.name,
      ).toBe('EC2.18');
    });
  });

  describe('reads EC2.18’s authorised ports', () => {
    const withParameters = (parameters: unknown) =>
      parseMutated((f) => {
        f.Compliance.SecurityControlParameters = parameters;
      }).control.parameters;

    it('from one port per value, from comma-separated lists and ranges, merged', () => {
      expect(
        withParameters([
          { Name: 'authorizedTcpPorts', Value: ['443', '80', ' 8080-8090 ,8091', '81'] },
          { Name: 'authorizedUdpPorts', Value: ['53,123', ''] },
        ]),
      ).toEqual({
        authorizedTcpPorts: [
          { from: 80, to: 81 },
          { from: 443, to: 443 },
          { from: 8080, to: 8091 },
        ],
        authorizedUdpPorts: [
          { from: 53, to: 53 },
          { from: 123, to: 123 },
        ],
      });
    });

    it('keeps an absent parameter absent (the control’s default) and an empty one empty (none)', () => {
      expect(withParameters([{ Name: 'authorizedTcpPorts', Value: [] }])).toEqual({ authorizedTcpPorts: [] });
      expect(withParameters([{ Name: 'authorizedUdpPorts', Value: ['53'] }])).toEqual({
        authorizedUdpPorts: [{ from: 53, to: 53 }],
      });
    });

    it('carries no parameters when the finding has none the hub reads', () => {
      expect(withParameters([{ Name: 'otherParameter', Value: ['x'] }])).toBeUndefined();
      expect(withParameters([])).toBeUndefined();
      expect(withParameters(null)).toBeUndefined();
    });
  });

  describe('keeps what the write-back needs: the ProductArn, as it came, and the workflow status', () => {
    it('copies ProductArn and Workflow.Status (NEW when there is no Workflow)', () => {
      expect(
        parseMutated((f) => {
          f.ProductArn = 'arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default';
          f.Workflow = { Status: 'NOTIFIED' };
        }).sourceRef,
      ).toEqual({
        productArn: 'arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default',
        workflowStatus: 'NOTIFIED',
      });
      expect(parseMutated((f) => delete f.Workflow).sourceRef?.workflowStatus).toBe('NEW');
    });

    it('still reads a finding without ProductArn (remediated, never written back)', () => {
      expect(parseMutated((f) => delete f.ProductArn).sourceRef).toBeUndefined();
      expect(parseMutated((f) => (f.ProductArn = null)).sourceRef).toBeUndefined();
    });

    it('refuses a ProductArn that is no Security Hub product ARN, naming the field', () => {
      expect(errorFor((f) => (f.ProductArn = 'arn:aws:s3:::bucket')).message).toBe(
        'detail.findings[0].ProductArn: expected a Security Hub product ARN arn:<partition>:securityhub:<region>:<account or empty>:product/..., got "arn:aws:s3:::bucket"',
      );
    });
  });

  it('reads absent or null optional fields', () => {
    const finding = parseMutated((f) => {
      f.Severity = null as unknown as undefined;
      f.FirstObservedAt = null;
      delete f.Resources[0]?.Details;
      delete f.Resources[0]?.Region;
    });
    expect(finding).toMatchObject({
      riskLevel: null,
      firstSeenAt: '2025-03-04T02:15:28.917Z',
      region: 'eu-west-1',
      groupId: 'sg-0a1b2c3d4e5f60718',
      accountClaims: [{ field: 'Resources[0].Id', accountId: '222222222222' }],
    });
    const bare = parseMutated((f) => {
      delete f.FirstObservedAt;
      delete f.CreatedAt;
      f.Severity = {};
    });
    expect(bare).toMatchObject({ riskLevel: null, firstSeenAt: null });
  });

  it('finds the security group among other resources, and names its place', () => {
    const finding = parseMutated((f) => {
      f.Resources.unshift({
        Type: 'AwsEc2Vpc',
        Id: 'arn:aws:ec2:eu-west-1:222222222222:vpc/vpc-0123456789abcdef0',
      });
    });
    expect(finding.accountClaims[0]).toEqual({ field: 'Resources[1].Id', accountId: '222222222222' });
  });

  it('lists every account the finding names, for the hub to reject a mismatch', () => {
    const finding = parseMutated((f) => {
      f.Resources[0] = {
        ...f.Resources[0],
        Id: 'arn:aws-us-gov:ec2:us-gov-west-1:777777777777:security-group/sg-0a1b2c3d4e5f60718',
        Region: 'us-gov-west-1',
      };
      (f.Resources[0]?.Details?.AwsEc2SecurityGroup as Record<string, unknown>).OwnerId = '888888888888';
    });
    expect(finding).toMatchObject({
      accountId: '222222222222',
      region: 'us-gov-west-1',
      accountClaims: [
        { field: 'Resources[0].Id', accountId: '777777777777' },
        { field: 'Resources[0].Details.AwsEc2SecurityGroup.OwnerId', accountId: '888888888888' },
      ],
    });
  });

  describe('rejects a malformed finding with a one-line message naming the field', () => {
    const F = 'detail.findings[0].';
    it.each<[string, (f: AsffFinding) => void, string]>([
      ['a numeric Id', (f) => (f.Id = 5), `${F}Id: expected a string, got 5`],
      ['an empty Id', (f) => (f.Id = ''), `${F}Id: expected a non-empty string, got ""`],
      [
        'an Id over 1,024 UTF-8 bytes',
        (f) => (f.Id = 'é'.repeat(600)),
        `${F}Id: expected at most 1,024 UTF-8 bytes, got "${'é'.repeat(59)}…`,
      ],
      [
        'a short account',
        (f) => (f.AwsAccountId = '12345'),
        `${F}AwsAccountId: expected 12 digits, got "12345"`,
      ],
      [
        'no account',
        (f) => delete (f as Partial<AsffFinding>).AwsAccountId,
        `${F}AwsAccountId: expected 12 digits, got nothing`,
      ],
      [
        'an UpdatedAt that is not a timestamp',
        (f) => (f.UpdatedAt = 'yesterday'),
        `${F}UpdatedAt: expected an ASFF timestamp such as 2021-08-09T15:54:36.197Z, got "yesterday"`,
      ],
      [
        'no UpdatedAt',
        (f) => delete (f as Partial<AsffFinding>).UpdatedAt,
        `${F}UpdatedAt: expected an ASFF timestamp such as 2021-08-09T15:54:36.197Z, got nothing`,
      ],
      [
        'a FirstObservedAt that is not a timestamp',
        (f) => (f.FirstObservedAt = 1),
        `${F}FirstObservedAt: expected an ASFF timestamp such as 2021-08-09T15:54:36.197Z, got 1`,
      ],
      ['a numeric Title', (f) => (f.Title = 3), `${F}Title: expected a string or null, got 3`],
      [
        'an unknown compliance status',
        (f) => (f.Compliance.Status = 'failed'),
        `${F}Compliance.Status: expected one of PASSED, WARNING, FAILED, NOT_AVAILABLE, got "failed"`,
      ],
      [
        'no Compliance',
        (f) => delete (f as Partial<AsffFinding>).Compliance,
        `${F}Compliance: expected an object, got nothing`,
      ],
      [
        'an empty SecurityControlId',
        (f) => (f.Compliance.SecurityControlId = ''),
        `${F}Compliance.SecurityControlId: expected a non-empty string, got ""`,
      ],
      [
        'no control id at all',
        (f) => {
          delete f.Compliance.SecurityControlId;
          f.ProductFields = {};
        },
        `${F}Compliance.SecurityControlId: expected the control id (or ProductFields.ControlId, or the CIS 1.2.0 ProductFields.RuleId), got nothing`,
      ],
      [
        'a numeric ProductFields.RuleId',
        (f) => (f.ProductFields = { RuleId: 4.1 }),
        `${F}ProductFields.RuleId: expected a string, got 4.1`,
      ],
      [
        'an unknown record state',
        (f) => (f.RecordState = 'DELETED'),
        `${F}RecordState: expected one of ACTIVE, ARCHIVED, got "DELETED"`,
      ],
      [
        'an unknown workflow status',
        (f) => (f.Workflow = { Status: 'OPEN' }),
        `${F}Workflow.Status: expected one of NEW, NOTIFIED, RESOLVED, SUPPRESSED, got "OPEN"`,
      ],
      [
        'parameters that are not a list',
        (f) => (f.Compliance.SecurityControlParameters = { authorizedTcpPorts: '80' }),
        `${F}Compliance.SecurityControlParameters: expected an array of {Name, Value}, got {"authorizedTcpPorts":"80"}`,
      ],
      [
        'a parameter value that is not a list of strings',
        (f) => (f.Compliance.SecurityControlParameters = [{ Name: 'authorizedTcpPorts', Value: [80] }]),
        `${F}Compliance.SecurityControlParameters[0].Value[0]: expected a string, got 80`,
      ],
      [
        'an authorised port that is no port',
        (f) =>
          (f.Compliance.SecurityControlParameters = [{ Name: 'authorizedTcpPorts', Value: ['80', 'http'] }]),
        `${F}Compliance.SecurityControlParameters[0].Value[1]: expected ports such as "80" or "1020-1025", comma-separated, got "http"`,
      ],
      [
        'an authorised port over 65535',
        (f) => (f.Compliance.SecurityControlParameters = [{ Name: 'authorizedUdpPorts', Value: ['65536'] }]),
        `${F}Compliance.SecurityControlParameters[0].Value[0]: expected ports such as "80" or "1020-1025", comma-separated, got "65536"`,
      ],
      [
        'an authorised range out of order',
        (f) =>
          (f.Compliance.SecurityControlParameters = [
            { Name: 'authorizedTcpPorts', Value: ['443,2000-1000'] },
          ]),
        `${F}Compliance.SecurityControlParameters[0].Value[0]: expected ports such as "80" or "1020-1025", comma-separated, got "443,2000-1000"`,
      ],
      [
        'an authorised port list given twice',
        (f) =>
          (f.Compliance.SecurityControlParameters = [
            { Name: 'authorizedTcpPorts', Value: ['80'] },
            { Name: 'authorizedTcpPorts', Value: ['22'] },
          ]),
        `${F}Compliance.SecurityControlParameters[1].Name: expected one parameter named authorizedTcpPorts, got another`,
      ],
      [
        'no Resources',
        (f) => delete (f as Partial<AsffFinding>).Resources,
        `${F}Resources: expected an array, got nothing`,
      ],
      ['empty Resources', (f) => (f.Resources = []), `${F}Resources: expected at least one resource, got []`],
      [
        'a resource that is not an object',
        (f) => (f.Resources as unknown[]).push('sg-0a1b2c3d4e5f60718'),
        `${F}Resources[1]: expected an object, got "sg-0a1b2c3d4e5f60718"`,
      ],
      [
        'no security group among the resources',
        (f) => {
          group(f).Type = 'AwsEc2Instance';
        },
        `${F}Resources: expected one resource of Type AwsEc2SecurityGroup, got none`,
      ],
      [
        'two security groups',
        (f) => f.Resources.push(structuredClone(f.Resources[0] ?? {})),
        `${F}Resources: expected one resource of Type AwsEc2SecurityGroup, got 2`,
      ],
      [
        'a resource Id that is not a security group ARN',
        (f) => {
          group(f).Id = 'sg-0a1b2c3d4e5f60718';
        },
        `${F}Resources[0].Id: expected a security group ARN arn:<partition>:ec2:<region>:<12 digits>:security-group/sg-..., got "sg-0a1b2c3d4e5f60718"`,
      ],
      [
        'a resource ARN in an unknown region',
        (f) => {
          if (f.Resources[0]) {
            f.Resources[0].Id = 'arn:aws:ec2:mars-east-1:222222222222:security-group/sg-0a1b2c3d4e5f60718';
            delete f.Resources[0].Region;
          }
        },
        `${F}Resources[0].Id: expected the ARN of a group in a known AWS region, got "arn:aws:ec2:mars-east-1:222222222222:security-group/sg-0a1b…`,
      ],
      [
        'a resource Region that is not the ARN’s',
        (f) => {
          group(f).Region = 'us-east-1';
        },
        `${F}Resources[0].Region: expected the region of Resources[0].Id (eu-west-1), got "us-east-1"`,
      ],
      [
        'a resource Region that is no region',
        (f) => {
          group(f).Region = 'europe';
        },
        `${F}Resources[0].Region: expected an AWS region such as us-east-1, got "europe"`,
      ],
      [
        'a group id in Details that is not the ARN’s',
        (f) => {
          (f.Resources[0]?.Details?.AwsEc2SecurityGroup as Record<string, unknown>).GroupId =
            'sg-0ffffffffffffffff';
        },
        `${F}Resources[0].Details.AwsEc2SecurityGroup.GroupId: expected the group of Resources[0].Id (sg-0a1b2c3d4e5f60718), got "sg-0ffffffffffffffff"`,
      ],
      [
        'a group id in Details that is no group id',
        (f) => {
          (f.Resources[0]?.Details?.AwsEc2SecurityGroup as Record<string, unknown>).GroupId =
            `sg-${'a'.repeat(65)}`;
        },
        `${F}Resources[0].Details.AwsEc2SecurityGroup.GroupId: expected a security group id (sg-...), got "sg-${'a'.repeat(56)}…`,
      ],
      [
        'an owner in Details that is no account',
        (f) => {
          (f.Resources[0]?.Details?.AwsEc2SecurityGroup as Record<string, unknown>).OwnerId = 'me';
        },
        `${F}Resources[0].Details.AwsEc2SecurityGroup.OwnerId: expected 12 digits, got "me"`,
      ],
    ])('%s', (_case, mutate, message) => {
      const error = errorFor(mutate);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('\n');
      expect(error.field).toBe(message.slice(0, message.indexOf(':')));
      expect(error.retryable).toBe(false);
    });

    it('names the finding in the error once its Id is readable', () => {
      expect(errorFor((f) => (f.AwsAccountId = 'x')).alertId).toBe(EC2_18_ID);
      expect(errorFor((f) => (f.Id = 5)).alertId).toBeUndefined();
    });

    it('names fields without a prefix in a bare finding', () => {
      const finding = loadSecurityHubFinding('ec2.18-consolidated');
      finding.AwsAccountId = '12345';
      const [read] = parseFindings(finding);
      expect(read?.unreadable?.error.message).toBe('AwsAccountId: expected 12 digits, got "12345"');
    });
  });
});
