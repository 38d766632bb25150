import { LEDGER_TABLE } from '@remediation-hub/core';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  FIRST_LEDGER_INDEXES,
  InfraConfigError,
  memberRoleArnPattern,
  queueVisibilityTimeoutSeconds,
  resolveConfig,
} from '../../lib/config.js';
import { LedgerTable } from '../../lib/constructs/LedgerTable.js';

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

describe('the ledger indexes of an upgrade', () => {
  it('defaults to every index, and accepts from the first three (a table made before 2026-12) up to all', () => {
    const all = LEDGER_TABLE.globalSecondaryIndexes.length;
    expect(DEFAULT_CONFIG.ledgerIndexes).toBe(all);
    expect(resolveConfig({ ledgerIndexes: FIRST_LEDGER_INDEXES }).ledgerIndexes).toBe(3);
    expect(() => resolveConfig({ ledgerIndexes: 2 })).toThrow(/ledgerIndexes must be an integer from 3 to 6/);
    expect(() => resolveConfig({ ledgerIndexes: all + 1 })).toThrow(/ledgerIndexes/);
  });

  it('builds a table with that many of the indexes, in the shared order', () => {
    const indexNames = (indexes?: number) => {
      const stack = new Stack();
      new LedgerTable(stack, 'Ledger', indexes === undefined ? {} : { indexes });
      const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
      const defined = (table?.Properties.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string }>;
      return defined.map((i) => i.IndexName);
    };
    const names = LEDGER_TABLE.globalSecondaryIndexes.map((index) => index.indexName);
    expect(indexNames()).toEqual(names);
    expect(indexNames(4)).toEqual(names.slice(0, 4));
    expect(indexNames(4)).toEqual(['byAccount', 'byResource', 'byOutcome', 'bySource']);
  });
});
