import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';

/**
 * Context for every App this package builds: the feature flags `cdk init` would record in cdk.json
 * (kept in code so a plain `tsx bin/synth.ts` gets them too), and no path metadata in templates.
 */
export const APP_CONTEXT: Record<string, unknown> = {
  ...CURRENTLY_RECOMMENDED_FLAGS,
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:enable-asset-metadata': false,
};
