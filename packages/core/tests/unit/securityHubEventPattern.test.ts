import { describe, expect, it } from 'vitest';
import {
  CIS_1_2_RULE_CONTROLS,
  envelopePattern,
  MAX_EVENT_PATTERN_LENGTH,
  parseFindings,
  SECURITY_HUB_CONTROLS,
  securityHubEventPattern,
} from '../../src/index.js';
import { eventPatternMatches } from '../support/eventPatternMatches.js';
import {
  eventWith,
  loadSecurityHubEvent,
  loadSecurityHubFinding,
  SECURITY_HUB_EVENT_NAMES,
  type SecurityHubEventName,
} from '../support/securityHubEvents.js';

const pattern = securityHubEventPattern();
const matches = (event: unknown) => eventPatternMatches(pattern, event);

describe('securityHubEventPattern', () => {
  it('names every Security Hub control of the registry, both ways, and every CIS 1.2.0 rule that maps to one', () => {
    const ids = SECURITY_HUB_CONTROLS.map((control) => control.id);
    const text = JSON.stringify(pattern);
    expect(JSON.parse(text)).toMatchObject({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          $or: [
            { Compliance: { SecurityControlId: ids } },
            { ProductFields: { ControlId: ids } },
            { ProductFields: { RuleId: Object.keys(CIS_1_2_RULE_CONTROLS) } },
          ],
        },
      },
    });
    expect(ids).toEqual(['EC2.13', 'EC2.14', 'EC2.18', 'EC2.19', 'EC2.53', 'EC2.54']);
    expect(text.length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_LENGTH);
  });

  it.each<SecurityHubEventName>([
    'ec2.19-fsbp',
    'ec2.18-consolidated',
    'cis-4.1',
    'cis-4.2',
    'ec2.53',
    'ec2.54',
    'multi-finding',
  ])('sends %s, a failed finding the hub acts on', (name) => {
    const event = loadSecurityHubEvent(name);
    expect(matches(event)).toBe(true);
    expect(parseFindings(event).every((read) => read.finding?.inactive === undefined)).toBe(true);
  });

  it.each<SecurityHubEventName>(['ec2.13-passed', 'ec2.19-suppressed'])(
    'drops %s, which the hub would only ignore',
    (name) => {
      expect(matches(loadSecurityHubEvent(name))).toBe(false);
    },
  );

  it('sends exactly the fixtures whose findings the hub would act on', () => {
    const sent = SECURITY_HUB_EVENT_NAMES.filter((name) => matches(loadSecurityHubEvent(name)));
    const acted = SECURITY_HUB_EVENT_NAMES.filter((name) =>
      parseFindings(loadSecurityHubEvent(name)).some((read) => read.finding?.inactive === undefined),
    );
    expect(sent).toEqual(acted);
  });

  it.each([
    ['the echo of the hub’s own write-back (RESOLVED)', { Workflow: { Status: 'RESOLVED' } }],
    ['a finding already NOTIFIED by the hub', { Workflow: { Status: 'NOTIFIED' } }],
    ['an archived finding', { RecordState: 'ARCHIVED' }],
    ['a control the hub does not close', { Compliance: { Status: 'FAILED', SecurityControlId: 'EC2.2' } }],
    ['a WARNING', { Compliance: { Status: 'WARNING', SecurityControlId: 'EC2.18' } }],
  ])('drops %s', (_label, change) => {
    const finding = { ...loadSecurityHubFinding('ec2.18-consolidated'), ...change };
    expect(matches(eventWith([finding]))).toBe(false);
  });

  it('drops an event of another source or detail-type', () => {
    expect(matches({ ...loadSecurityHubEvent('ec2.18-consolidated'), source: 'aws.config' })).toBe(false);
    expect(
      matches({
        ...loadSecurityHubEvent('ec2.18-consolidated'),
        'detail-type': 'Security Hub Findings - Custom Action',
      }),
    ).toBe(false);
  });

  it('keeps only source and detail-type for the emulator, whose rules cannot look into detail.findings[]', () => {
    expect(envelopePattern(pattern)).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
    });
  });
});
