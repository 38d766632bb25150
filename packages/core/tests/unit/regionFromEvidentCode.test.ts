import { describe, expect, it } from 'vitest';
import {
  AWS_REGIONS,
  isKnownRegionCode,
  MalformedAlertError,
  regionFromEvidentCode,
} from '../../src/index.js';

describe('regionFromEvidentCode', () => {
  it.each([
    ['ap_northeast_1', 'ap-northeast-1'],
    ['us_east_1', 'us-east-1'],
    ['eu_central_2', 'eu-central-2'],
    ['us_gov_east_1', 'us-gov-east-1'],
    ['cn_north_1', 'cn-north-1'],
    ['us-west-2', 'us-west-2'],
  ])('turns %s into %s', (code, region) => {
    expect(regionFromEvidentCode(code)).toBe(region);
    expect(isKnownRegionCode(code)).toBe(true);
  });

  it.each(['ap_northeast_9', 'AP_NORTHEAST_1', 'global', '', 'us_east'])(
    'rejects unknown code %j',
    (code) => {
      expect(isKnownRegionCode(code)).toBe(false);
      expect(() => regionFromEvidentCode(code)).toThrow(MalformedAlertError);
      expect(() => regionFromEvidentCode(code)).toThrow(`unknown region code ${JSON.stringify(code)}`);
    },
  );

  it('lists every region once, in AWS spelling', () => {
    expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
    for (const region of AWS_REGIONS) expect(region).toMatch(/^[a-z]{2}(-gov)?-[a-z]+-\d$/);
    expect(AWS_REGIONS).toEqual(
      expect.arrayContaining(['us-gov-west-1', 'cn-northwest-1', 'ap-northeast-1']),
    );
  });
});
