import { describe, expect, it } from 'vitest';
import { type Finding, MalformedAlertError, parseFindings } from '../../src/index.js';
import {
  type EvidentAlertDocument,
  evidentEventText,
  includedEntry,
  loadSampleAlert,
  loadSampleEnvelope,
} from '../support/evidentEvents.js';

const SAMPLE: Finding = {
  source: 'evident',
  id: '1306879672',
  eventKey: 'fail',
  status: 'fail',
  inactive: undefined,
  accountId: '012345678910',
  accountClaims: [{ field: 'included[external_accounts].attributes.arn', accountId: '012345678910' }],
  region: 'ap-northeast-1',
  groupId: 'sg-xxxxxxxxxxxxxxxxx',
  control: { id: 'AWS:EC2-002', name: 'Global Admin Port Access - SSH (TCP Port 22) Detected' },
  riskLevel: 'high',
  firstSeenAt: '2018-11-05T03:57:05.000Z',
};

/** The one finding of an Evident message; throws its error when it is unreadable. */
function parseAlert(input: unknown): Finding {
  const findings = parseFindings(input);
  expect(findings).toHaveLength(1);
  const [read] = findings;
  if (read?.unreadable) throw read.unreadable.error;
  return read?.finding as Finding;
}

/** Parses a mutated copy of the sample alert and returns the error it raised. */
function errorFor(mutate: (document: EvidentAlertDocument) => void): MalformedAlertError {
  const document = loadSampleAlert();
  mutate(document);
  return caught(() => parseAlert(document));
}

function caught(run: () => unknown): MalformedAlertError {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedAlertError) return error;
    throw error;
  }
  throw new Error('expected a MalformedAlertError, but the alert was accepted');
}

const account = (d: EvidentAlertDocument) => includedEntry(d, 'external_accounts').attributes;
const region = (d: EvidentAlertDocument) => includedEntry(d, 'regions').attributes;
const signature = (d: EvidentAlertDocument) => includedEntry(d, 'signatures').attributes;
const withoutType = (d: EvidentAlertDocument, type: string) => {
  d.included = d.included.filter((entry) => entry.type !== type);
};

describe('parseFindings: Evident alerts', () => {
  describe('reads the sample alert', () => {
    it('from the raw JSON text', () => {
      expect(parseAlert(evidentEventText('evident-ec2-002-fail'))).toEqual(SAMPLE);
    });

    it('from the parsed JSON:API document', () => {
      expect(parseAlert(loadSampleAlert())).toEqual(SAMPLE);
    });

    it('from the SNS notification envelope as text', () => {
      expect(parseAlert(evidentEventText('evident-ec2-002-fail.sns-envelope'))).toEqual(SAMPLE);
    });

    it('from the parsed SNS notification envelope', () => {
      expect(parseAlert(loadSampleEnvelope())).toEqual(SAMPLE);
    });
  });

  it('accepts unknown extra fields anywhere', () => {
    const document = loadSampleAlert();
    document.meta = { page: 1 };
    document.data.attributes.suppressed = false;
    account(document).new_field = { nested: true };
    document.included.push({ id: '9', type: 'tags', attributes: { key: 'x' } });
    expect(parseAlert(document)).toEqual(SAMPLE);
  });

  it('does not validate the informational metadata entry', () => {
    const document = loadSampleAlert();
    includedEntry(document, 'metadata').attributes = { data: 'not the group' };
    expect(parseAlert(document)).toEqual(SAMPLE);
    withoutType(document, 'metadata');
    expect(parseAlert(document)).toEqual(SAMPLE);
  });

  it('reads absent or null risk level and times as null', () => {
    const document = loadSampleAlert();
    document.data.attributes.risk_level = null;
    document.data.attributes.created_at = null;
    delete document.data.attributes.started_at;
    delete document.data.attributes.updated_at;
    expect(parseAlert(document)).toMatchObject({ riskLevel: null, firstSeenAt: null });
  });

  it('takes the first-seen time from started_at, else created_at', () => {
    const document = loadSampleAlert();
    document.data.attributes.started_at = '2018-11-05T04:00:00.000Z';
    expect(parseAlert(document).firstSeenAt).toBe('2018-11-05T04:00:00.000Z');
    delete document.data.attributes.started_at;
    expect(parseAlert(document).firstSeenAt).toBe('2018-11-05T03:57:05.000Z');
  });

  it('keys the notification by its status, so a fail and a later pass are two', () => {
    const document = loadSampleAlert();
    document.data.attributes.status = 'pass';
    expect(parseAlert(document)).toMatchObject({ id: SAMPLE.id, eventKey: 'pass', status: 'pass' });
  });

  it.each(['warn'] as const)('acts on status %s', (status) => {
    const document = loadSampleAlert();
    document.data.attributes.status = status;
    expect(parseAlert(document)).toMatchObject({ status, inactive: undefined });
  });

  it.each(['pass', 'error', 'info'] as const)('reads status %s as not actionable', (status) => {
    const document = loadSampleAlert();
    document.data.attributes.status = status;
    expect(parseAlert(document)).toMatchObject({
      status,
      inactive: { field: 'status', value: status, actedOn: ['fail', 'warn'] },
    });
  });

  it.each([
    ['arn:aws:iam::222222222222:role/Evident-Service-Role', '222222222222'],
    ['arn:aws-us-gov:iam::333333333333:role/evident', '333333333333'],
    ['arn:aws-cn:iam::444444444444:user/evident', '444444444444'],
  ])('takes the account of ARN %s apart from the account field', (arn, accountId) => {
    const document = loadSampleAlert();
    account(document).arn = arn;
    const finding = parseAlert(document);
    expect(finding.accountClaims).toEqual([
      { field: 'included[external_accounts].attributes.arn', accountId },
    ]);
    expect(finding.accountId).toBe('012345678910');
  });

  it.each([
    ['us_gov_west_1', 'us-gov-west-1'],
    ['cn_northwest_1', 'cn-northwest-1'],
    ['eu-central-1', 'eu-central-1'],
  ])('turns region code %s into %s', (code, expected) => {
    const document = loadSampleAlert();
    region(document).code = code;
    expect(parseAlert(document).region).toBe(expected);
  });

  it('accepts an alert whose data.type is absent', () => {
    const document = loadSampleAlert();
    delete document.data.type;
    expect(parseAlert(document)).toEqual(SAMPLE);
  });

  describe('rejects a malformed alert with a one-line message naming the field', () => {
    it.each<[string, (d: EvidentAlertDocument) => void, string]>([
      [
        'a short account',
        (d) => {
          account(d).account = '12345';
        },
        'included[external_accounts].attributes.account: expected 12 digits, got "12345"',
      ],
      [
        'a numeric account',
        (d) => {
          account(d).account = 12345678901;
        },
        'included[external_accounts].attributes.account: expected 12 digits, got 12345678901',
      ],
      [
        'a missing account',
        (d) => {
          delete account(d).account;
        },
        'included[external_accounts].attributes.account: expected 12 digits, got nothing',
      ],
      [
        'an ARN that is not an IAM ARN',
        (d) => {
          account(d).arn = 'arn:aws:s3:::bucket';
        },
        'included[external_accounts].attributes.arn: expected an IAM ARN arn:<partition>:iam::<12 digits>:<resource>, got "arn:aws:s3:::bucket"',
      ],
      [
        'an ARN with a short account',
        (d) => {
          account(d).arn = 'arn:aws:iam::1234:role/x';
        },
        'included[external_accounts].attributes.arn: expected an IAM ARN arn:<partition>:iam::<12 digits>:<resource>, got "arn:aws:iam::1234:role/x"',
      ],
      [
        'a resource that is not a security group',
        (d) => {
          d.data.attributes.resource = 'i-0123456789abcdef0';
        },
        'data.attributes.resource: expected a security group id (sg-...), got "i-0123456789abcdef0"',
      ],
      [
        'a missing resource',
        (d) => {
          delete d.data.attributes.resource;
        },
        'data.attributes.resource: expected a string, got nothing',
      ],
      [
        'an unknown status',
        (d) => {
          d.data.attributes.status = 'FAIL';
        },
        'data.attributes.status: expected one of fail, warn, pass, error, info, got "FAIL"',
      ],
      [
        'a missing status',
        (d) => {
          delete d.data.attributes.status;
        },
        'data.attributes.status: expected one of fail, warn, pass, error, info, got nothing',
      ],
      [
        'a numeric id',
        (d) => {
          d.data.id = 1306879672;
        },
        'data.id: expected a string, got 1306879672',
      ],
      [
        'an empty id',
        (d) => {
          d.data.id = '';
        },
        'data.id: expected a non-empty string, got ""',
      ],
      [
        'an id over 1,024 UTF-8 bytes, too long a ledger key',
        (d) => {
          d.data.id = '日'.repeat(342);
        },
        `data.id: expected at most 1,024 UTF-8 bytes, got "${'日'.repeat(59)}…`,
      ],
      [
        'a group id over 64 characters, too long an index key',
        (d) => {
          d.data.attributes.resource = `sg-${'0'.repeat(65)}`;
        },
        `data.attributes.resource: expected a security group id (sg-...), got "sg-${'0'.repeat(56)}…`,
      ],
      [
        'a document of another type',
        (d) => {
          d.data.type = 'signatures';
        },
        'data.type: expected "alerts", got "signatures"',
      ],
      [
        'missing attributes',
        (d) => {
          delete (d.data as Record<string, unknown>).attributes;
        },
        'data.attributes: expected an object, got nothing',
      ],
      [
        'a risk level that is not a string',
        (d) => {
          d.data.attributes.risk_level = 3;
        },
        'data.attributes.risk_level: expected a string or null, got 3',
      ],
      [
        'a start time that is not a time',
        (d) => {
          d.data.attributes.started_at = 'yesterday';
        },
        'data.attributes.started_at: expected an ISO 8601 time or null, got "yesterday"',
      ],
      [
        'an unknown region code',
        (d) => {
          region(d).code = 'ap_northeast_9';
        },
        'included[regions].attributes.code: expected an AWS region code such as ap_northeast_1, got "ap_northeast_9"',
      ],
      [
        'a region code that is not a string',
        (d) => {
          region(d).code = null;
        },
        'included[regions].attributes.code: expected a string, got null',
      ],
      [
        'no regions entry',
        (d) => withoutType(d, 'regions'),
        'included[regions]: expected one entry of type "regions", got none',
      ],
      [
        'no external_accounts entry',
        (d) => withoutType(d, 'external_accounts'),
        'included[external_accounts]: expected one entry of type "external_accounts", got none',
      ],
      [
        'no signatures entry',
        (d) => withoutType(d, 'signatures'),
        'included[signatures]: expected one entry of type "signatures", got none',
      ],
      [
        'two external_accounts entries',
        (d) => {
          d.included.push(structuredClone(includedEntry(d, 'external_accounts')));
        },
        'included[external_accounts]: expected one entry of type "external_accounts", got 2',
      ],
      [
        'an included entry without attributes',
        (d) => {
          delete (includedEntry(d, 'signatures') as Record<string, unknown>).attributes;
        },
        'included[signatures].attributes: expected an object, got nothing',
      ],
      [
        'a signature without identifier',
        (d) => {
          delete signature(d).identifier;
        },
        'included[signatures].attributes.identifier: expected a string, got nothing',
      ],
      [
        'a signature without name',
        (d) => {
          signature(d).name = 42;
        },
        'included[signatures].attributes.name: expected a string, got 42',
      ],
      [
        'an included entry that is not an object',
        (d) => {
          (d.included as unknown[]).push('oops');
        },
        'included[4]: expected an object, got "oops"',
      ],
      [
        'an included entry without a type',
        (d) => {
          (d.included as unknown[]).splice(1, 0, { id: '7', attributes: {} });
        },
        'included[1].type: expected a string, got nothing',
      ],
      [
        'included that is not an array',
        (d) => {
          (d as Record<string, unknown>).included = { regions: {} };
        },
        'included: expected an array, got {"regions":{}}',
      ],
      [
        'no data',
        (d) => {
          delete (d as Record<string, unknown>).data;
        },
        'data: expected an object, got nothing',
      ],
    ])('%s', (_case, mutate, message) => {
      const error = errorFor(mutate);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('\n');
      expect(error.field).toBe(message.slice(0, message.indexOf(':')));
      expect(error.retryable).toBe(false);
    });

    it('names the alert in the error once data.id is readable', () => {
      const error = errorFor((d) => {
        account(d).account = '12345';
      });
      expect(error.alertId).toBe('1306879672');
      expect(errorFor((d) => (d.data.id = 5)).alertId).toBeUndefined();
    });

    it('describes a received value that JSON cannot show', () => {
      const error = errorFor((d) => {
        d.data.attributes.resource = 10n;
      });
      expect(error.message).toBe('data.attributes.resource: expected a string, got 10');
    });

    it('shortens a long received value', () => {
      const error = errorFor((d) => {
        d.data.attributes.resource = `i-${'0'.repeat(100)}`;
      });
      expect(error.message).toBe(
        `data.attributes.resource: expected a security group id (sg-...), got "i-${'0'.repeat(57)}…`,
      );
    });
  });

  describe('rejects what is not an alert document', () => {
    it.each<[string, unknown, string]>([
      ['text that is not JSON', '{"data":', 'message is not JSON: '],
      ['a number', 5, 'document: expected a JSON:API document (an object), got 5'],
      ['null', null, 'document: expected a JSON:API document (an object), got null'],
      ['an array', '[1,2]', 'document: expected a JSON:API document (an object), got [1,2]'],
      ['JSON text of a string', '"alert"', 'document: expected a JSON:API document (an object), got "alert"'],
    ])('%s', (_case, input, message) => {
      expect(caught(() => parseAlert(input)).message.startsWith(message)).toBe(true);
    });

    it('keeps the JSON syntax error as the cause', () => {
      const error = caught(() => parseAlert('not json'));
      expect(error.message).toMatch(/^message is not JSON: Unexpected token/);
      expect(error.field).toBe('message');
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });
  });

  describe('rejects a malformed SNS envelope', () => {
    it('whose Message is not a string', () => {
      const envelope = loadSampleEnvelope();
      envelope.Message = loadSampleAlert();
      expect(caught(() => parseAlert(envelope)).message).toBe(
        'Message: expected a string (the alert as JSON), got {"data":{"id":"1306879672","type":"alerts","attributes":{"cr…',
      );
    });

    it('whose Message is missing', () => {
      const envelope = loadSampleEnvelope();
      delete envelope.Message;
      expect(caught(() => parseAlert(envelope)).message).toBe(
        'Message: expected a string (the alert as JSON), got nothing',
      );
    });

    it('whose Message is not JSON', () => {
      const envelope = loadSampleEnvelope();
      envelope.Message = 'hello';
      const error = caught(() => parseAlert(JSON.stringify(envelope)));
      expect(error.message).toMatch(/^Message is not JSON: Unexpected token/);
      expect(error.field).toBe('Message');
    });

    it('that is not a notification', () => {
      const envelope = loadSampleEnvelope();
      envelope.Type = 'SubscriptionConfirmation';
      expect(caught(() => parseAlert(envelope)).message).toBe(
        'Type: expected "Notification", got "SubscriptionConfirmation"',
      );
    });

    it('whose alert is malformed, naming the field inside the alert', () => {
      const document = loadSampleAlert();
      region(document).code = 'mars_1';
      const envelope = loadSampleEnvelope();
      envelope.Message = JSON.stringify(document);
      expect(caught(() => parseAlert(envelope)).message).toBe(
        'included[regions].attributes.code: expected an AWS region code such as ap_northeast_1, got "mars_1"',
      );
    });
  });
});
