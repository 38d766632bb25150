import { loadSampleAlert, makeAlert, snsEnvelope } from '@remediation-hub/testkit';
import { describe, expect, it } from 'vitest';
import { peekGroupKey } from '../../src/handler/peekGroupKey.js';

describe('peekGroupKey', () => {
  it('reads account, region (AWS spelling) and security group of the sample alert', () => {
    const doc = loadSampleAlert();
    expect(peekGroupKey(JSON.stringify(doc))).toBe(
      `012345678910:ap-northeast-1:${doc.data.attributes.resource}`,
    );
  });

  it('gives alerts of different signatures about one group one key, raw or in an SNS envelope', () => {
    const about = { accountId: '111111111111', region: 'eu-west-1', groupId: 'sg-0123456789abcdef0' };
    const ssh = makeAlert({ id: 'a-1', signature: 'AWS:EC2-002', ...about });
    const rdp = makeAlert({ id: 'a-2', signature: 'AWS:EC2-004', ...about });
    const key = peekGroupKey(JSON.stringify(ssh));
    expect(key).toBe('111111111111:eu-west-1:sg-0123456789abcdef0');
    expect(peekGroupKey(JSON.stringify(snsEnvelope(rdp)))).toBe(key);
    expect(peekGroupKey(JSON.stringify(makeAlert({ id: 'a-3', ...about, region: 'eu-west-2' })))).not.toBe(
      key,
    );
  });

  it('gives up when the group, account or region cannot be read', () => {
    const doc = loadSampleAlert();
    expect(peekGroupKey('not json')).toBeUndefined();
    expect(peekGroupKey(JSON.stringify({ ...doc, included: 'not a list' }))).toBeUndefined();
    expect(peekGroupKey(JSON.stringify({ ...doc, data: { ...doc.data, attributes: {} } }))).toBeUndefined();
    const noRegion = { ...doc, included: doc.included.filter((e: { type: string }) => e.type !== 'regions') };
    expect(peekGroupKey(JSON.stringify(noRegion))).toBeUndefined();
  });
});
