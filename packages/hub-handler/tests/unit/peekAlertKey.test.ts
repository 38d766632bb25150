import { snsEnvelope } from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { peekAlertKey } from '../../src/handler/peekAlertKey.js';

describe('peekAlertKey', () => {
  it('reads id and status of a raw document the parser refused', () => {
    const doc = { data: { id: '1306879672', attributes: { status: 'fail' } }, included: 'not a list' };
    expect(peekAlertKey(JSON.stringify(doc))).toEqual({ alertId: '1306879672', status: 'fail' });
  });

  it('reads them through an SNS envelope', () => {
    const doc = { data: { id: '42', attributes: { status: 'warn' } } };
    expect(peekAlertKey(JSON.stringify(snsEnvelope(doc)))).toEqual({ alertId: '42', status: 'warn' });
  });

  it('keys a readable id with an unreadable status as unknown', () => {
    expect(peekAlertKey(JSON.stringify({ data: { id: '42', attributes: { status: 7 } } }))).toEqual({
      alertId: '42',
      status: 'unknown',
    });
  });

  it('gives up on non-JSON, missing ids and ids of an unsafe shape', () => {
    expect(peekAlertKey('not json')).toBeUndefined();
    expect(peekAlertKey(JSON.stringify({ data: {} }))).toBeUndefined();
    expect(peekAlertKey(JSON.stringify({ data: { id: 'a b\n{"x":1}' } }))).toBeUndefined();
    expect(peekAlertKey(JSON.stringify({ data: { id: 'x'.repeat(300) } }))).toBeUndefined();
  });
});
