import { MalformedAlertError } from './errors.js';

/**
 * AWS region codes the hub can act in: the commercial partition (`aws`), GovCloud (`aws-us-gov`) and
 * China (`aws-cn`). Evident names them with underscores (`ap_northeast_1`). Data, not code paths:
 * a new region is one row.
 */
export const AWS_REGIONS: readonly string[] = [
  // aws
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  // aws-us-gov
  'us-gov-east-1',
  'us-gov-west-1',
  // aws-cn
  'cn-north-1',
  'cn-northwest-1',
];

/** Evident's code (`ap_northeast_1`) and the AWS spelling (`ap-northeast-1`) both map to the region. */
const regionByCode = new Map<string, string>(
  AWS_REGIONS.flatMap((region) => [
    [region.replaceAll('-', '_'), region],
    [region, region],
  ]),
);

const awsRegions = new Set(AWS_REGIONS);

/** An AWS region as AWS spells it (`ap-northeast-1`), one the hub can act in. */
export function isAwsRegion(region: string): boolean {
  return awsRegions.has(region);
}

export function isKnownRegionCode(code: string): boolean {
  return regionByCode.has(code);
}

/** `ap_northeast_1` → `ap-northeast-1`. An unknown code is a `MalformedAlertError`. */
export function regionFromEvidentCode(code: string): string {
  const region = regionByCode.get(code);
  if (region === undefined) {
    throw new MalformedAlertError(`unknown region code ${JSON.stringify(code)}`, {
      field: 'included[regions].attributes.code',
    });
  }
  return region;
}
