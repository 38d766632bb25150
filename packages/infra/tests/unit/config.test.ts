import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  InfraConfigError,
  memberRoleArnPattern,
  queueVisibilityTimeoutSeconds,
  resolveConfig,
} from '../../lib/config.js';

describe('resolveConfig', () => {
  it('returns the defaults when nothing is overridden', () => {
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
  });

  it('merges overrides from the remediationHub context', () => {
    const config = resolveConfig({ memberRoleName: 'SgFixer', memberRolePath: '/', reservedConcurrency: 20 });
    expect(memberRoleArnPattern(config)).toBe('arn:*:iam::*:role/SgFixer');
    expect(config.reservedConcurrency).toBe(20);
  });

  it('reads the JSON string the CDK CLI passes for -c remediationHub=...', () => {
    expect(resolveConfig('{"reservedConcurrency":20}').reservedConcurrency).toBe(20);
    expect(() => resolveConfig('{reservedConcurrency')).toThrow(/not valid JSON/);
  });

  it('rejects unknown settings, naming them', () => {
    expect(() => resolveConfig({ memberRole: 'x' })).toThrow(
      /unknown remediationHub setting\(s\): memberRole/,
    );
  });

  it('rejects a role path that does not start and end with a slash', () => {
    expect(() => resolveConfig({ hubRolePath: 'remediation-hub' })).toThrow(InfraConfigError);
  });

  it('rejects an event-source concurrency above the reserved concurrency', () => {
    expect(() => resolveConfig({ maxConcurrency: 20, reservedConcurrency: 10 })).toThrow(
      /maxConcurrency must not exceed reservedConcurrency/,
    );
  });

  it('rejects a maximum concurrency below the 2 that Lambda accepts', () => {
    expect(() => resolveConfig({ maxConcurrency: 1 })).toThrow(/maxConcurrency must be an integer from 2/);
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    expect(() => resolveConfig({ logRetentionDays: 42 })).toThrow(/logRetentionDays/);
  });

  it('needs a batching window for batches above ten', () => {
    expect(() => resolveConfig({ batchSize: 100 })).toThrow(/maxBatchingWindowSeconds of at least 1/);
    expect(resolveConfig({ batchSize: 100, maxBatchingWindowSeconds: 5 }).batchSize).toBe(100);
  });

  it('gives the queue six times the function timeout plus the batching window', () => {
    expect(
      queueVisibilityTimeoutSeconds(
        resolveConfig({ functionTimeoutSeconds: 30, maxBatchingWindowSeconds: 5 }),
      ),
    ).toBe(185);
  });
});
