import { ConfigurationError } from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { configurationProblems, loadConfig, partitionOfRegion } from '../../src/settings.js';

const valid = {
  LEDGER_TABLE: 'remediation-hub-ledger',
  MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
  MEMBER_EXTERNAL_ID: 'd2f0c4c6-1a4e-4f55-9d0e-0c1f8f5e7a11',
  ALLOWED_ACCOUNTS: '111111111111, 222222222222',
  AWS_REGION: 'eu-west-1',
};

describe('loadConfig', () => {
  it('reads a minimal environment and applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      ledgerTable: 'remediation-hub-ledger',
      memberRoleName: 'RemediationHubMemberRole',
      memberRolePath: '/',
      memberExternalId: valid.MEMBER_EXTERNAL_ID,
      mode: 'remediate',
      strategy: 'revoke',
      exemptTagKey: 'remediation-hub:exempt',
      region: 'eu-west-1',
      partition: 'aws',
      leaseSeconds: 120,
      maxAttempts: 5,
      endpoint: undefined,
      securityHubWriteBack: true,
      outcomeTopicArn: undefined,
    });
    expect([...config.allowedAccounts]).toEqual(['111111111111', '222222222222']);
    expect(config.dryRunAccounts.size).toBe(0);
  });

  it('reads every optional variable', () => {
    const config = loadConfig({
      ...valid,
      MEMBER_ROLE_PATH: '/remediation-hub/',
      REMEDIATION_MODE: 'dry-run',
      DRY_RUN_ACCOUNTS: '333333333333',
      STRATEGY: 'narrow',
      EXEMPT_TAG_KEY: 'security:exempt',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      LEASE_SECONDS: '30',
      BATCH_CONCURRENCY: '4',
      AWS_MAX_ATTEMPTS: '2',
      OUTCOME_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:remediation-hub-outcomes',
    });
    expect(config).toMatchObject({
      outcomeTopicArn: 'arn:aws:sns:eu-west-1:123456789012:remediation-hub-outcomes',
      memberRolePath: '/remediation-hub/',
      mode: 'dry-run',
      strategy: 'narrow',
      exemptTagKey: 'security:exempt',
      endpoint: 'http://127.0.0.1:5000',
      leaseSeconds: 30,
      batchConcurrency: 4,
      maxAttempts: 2,
    });
    expect([...config.dryRunAccounts]).toEqual(['333333333333']);
  });

  it('turns the Security Hub write-back off with SECURITY_HUB_WRITE_BACK=off, and refuses other words', () => {
    expect(loadConfig({ ...valid, SECURITY_HUB_WRITE_BACK: 'off' }).securityHubWriteBack).toBe(false);
    expect(loadConfig({ ...valid, SECURITY_HUB_WRITE_BACK: 'on' }).securityHubWriteBack).toBe(true);
    expect(configurationProblems({ ...valid, SECURITY_HUB_WRITE_BACK: 'yes' })).toEqual([
      'SECURITY_HUB_WRITE_BACK must be one of on, off, got "yes"',
    ]);
  });

  it('reports one line per bad variable, all of them at once', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
      MEMBER_ROLE_PATH: 'no-slashes',
      ALLOWED_ACCOUNTS: '111111111111,12345',
      REMEDIATION_MODE: 'yolo',
      STRATEGY: 'delete',
      DRY_RUN_ACCOUNTS: 'abc',
    };
    const problems = configurationProblems(env);
    expect(problems).toEqual([
      'LEDGER_TABLE is required (a DynamoDB table name)',
      'MEMBER_ROLE_PATH must be an IAM path such as / or /remediation-hub/, got "no-slashes"',
      expect.stringMatching(/^MEMBER_EXTERNAL_ID is required/),
      'ALLOWED_ACCOUNTS must be comma-separated 12-digit account ids, got "12345"',
      'REMEDIATION_MODE must be one of remediate, dry-run, got "yolo"',
      'DRY_RUN_ACCOUNTS must be comma-separated 12-digit account ids, got "abc"',
      'STRATEGY must be one of revoke, narrow, got "delete"',
    ]);
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(/LEDGER_TABLE is required.*; MEMBER_ROLE_PATH must be/);
  });

  it('refuses an OUTCOME_TOPIC_ARN that is not an SNS topic ARN', () => {
    expect(
      configurationProblems({ ...valid, OUTCOME_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:q' }),
    ).toEqual([
      'OUTCOME_TOPIC_ARN must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:outcomes, got "arn:aws:sqs:eu-west-1:123456789012:q"',
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(configurationProblems({ ...valid, ALLOWED_ACCOUNTS: ' ' })).toEqual([
      'ALLOWED_ACCOUNTS, ALLOWED_OUS or ACCOUNT_REGISTRY_TABLE is required (which accounts the hub acts in)',
    ]);
    expect(loadConfig({ ...valid, MEMBER_ROLE_PATH: '' }).memberRolePath).toBe('/');
  });

  it('requires a region and refuses a bad log level or endpoint', () => {
    const { AWS_REGION: _region, ...noRegion } = valid;
    expect(configurationProblems({ ...noRegion, LOG_LEVEL: 'loud', AWS_ENDPOINT_URL: 'not a url' })).toEqual([
      'AWS_REGION is required (the hub region, e.g. us-east-1)',
      'AWS_ENDPOINT_URL must be a URL, got "not a url"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
    expect(loadConfig({ ...noRegion, AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
  });
});

describe('loadConfig: which accounts', () => {
  const { ALLOWED_ACCOUNTS: _accounts, ...noAccounts } = valid;

  it('needs ALLOWED_ACCOUNTS only when neither OUs nor a registry say which accounts the hub acts in', () => {
    expect(configurationProblems(noAccounts)).toEqual([
      'ALLOWED_ACCOUNTS, ALLOWED_OUS or ACCOUNT_REGISTRY_TABLE is required (which accounts the hub acts in)',
    ]);
    expect(loadConfig({ ...noAccounts, ALLOWED_OUS: 'ou-ab12-11111111' }).allowedAccounts.size).toBe(0);
    expect(loadConfig({ ...noAccounts, ACCOUNT_REGISTRY_TABLE: 'rh-accounts' })).toMatchObject({
      accountRegistryTable: 'rh-accounts',
      allowedOus: [],
      registryCacheSeconds: 60,
      accountsCacheSeconds: 900,
    });
  });

  it('reads OUs as ids, root ids or organisation paths, and takes the organisation from the paths', () => {
    const config = loadConfig({
      ...noAccounts,
      ALLOWED_OUS:
        'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/, o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/ou-ab12-33333333/',
      DRY_RUN_OUS: 'ou-ab12-33333333',
      ACCOUNTS_CACHE_SECONDS: '300',
      REGISTRY_CACHE_SECONDS: '15',
    });
    expect(config.allowedOus).toEqual([
      {
        id: 'ou-ab12-11111111',
        organizationId: 'o-a1b2c3d4e5',
        path: 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/',
      },
      {
        id: 'ou-ab12-33333333',
        organizationId: 'o-a1b2c3d4e5',
        path: 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/ou-ab12-33333333/',
      },
    ]);
    expect(config.dryRunOus).toEqual([
      { id: 'ou-ab12-33333333', organizationId: undefined, path: undefined },
    ]);
    expect(config).toMatchObject({
      organizationId: 'o-a1b2c3d4e5',
      accountsCacheSeconds: 300,
      registryCacheSeconds: 15,
    });
  });

  it('refuses a malformed OU, OUs of two organisations, dry-run OUs alone and a bad cache time, all at once', () => {
    expect(
      configurationProblems({
        ...noAccounts,
        ALLOWED_OUS: 'ou-ab12-11111111,Engineering, o-a1b2c3d4e5/r-ab12/',
        ORGANIZATION_ID: 'o-zzzzzzzzzz',
        ACCOUNTS_CACHE_SECONDS: '5',
      }),
    ).toEqual([
      'ALLOWED_OUS must be comma-separated OU ids (ou-ab12-11111111), root ids (r-ab12) or organisation paths (o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/), got "Engineering"',
      'ALLOWED_OUS, DRY_RUN_OUS and ORGANIZATION_ID name more than one organisation: o-zzzzzzzzzz, o-a1b2c3d4e5',
      'ACCOUNTS_CACHE_SECONDS must be an integer from 10 to 86400, got "5"',
    ]);
    expect(configurationProblems({ ...valid, DRY_RUN_OUS: 'ou-ab12-11111111' })).toEqual([
      'DRY_RUN_OUS needs ALLOWED_OUS: dry-run units only narrow the allowed ones (list a unit in both to onboard it in dry-run)',
    ]);
    expect(configurationProblems({ ...valid, ORGANIZATION_ID: 'org-1' })).toEqual([
      'ORGANIZATION_ID must be an organisation id such as o-a1b2c3d4e5, got "org-1"',
    ]);
  });
});

describe('partitionOfRegion', () => {
  it('names the partition of China and GovCloud regions, aws otherwise', () => {
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('ap-northeast-1')).toBe('aws');
  });
});
