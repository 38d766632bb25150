import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  AccountDirectoryUnavailableError,
  AccountNotAllowedError,
  ConcurrentChangeError,
  ConfigurationError,
  isRetryable,
  LeaseContentionError,
  MalformedAlertError,
  MalformedSecurityGroupError,
  OperationRefusedError,
  RemediationHubError,
  ResourceGoneError,
  ThrottledError,
  TransientAwsError,
  UnexpectedAwsError,
} from '../../src/index.js';

describe('isRetryable', () => {
  it.each<[new (message: string) => RemediationHubError, boolean]>([
    [MalformedAlertError, false],
    [MalformedSecurityGroupError, false],
    [AccountNotAllowedError, false],
    [ConfigurationError, false],
    [AccessDeniedError, false],
    [ResourceGoneError, false],
    [UnexpectedAwsError, false],
    [OperationRefusedError, false],
    [ThrottledError, true],
    [TransientAwsError, true],
    [LeaseContentionError, true],
    [ConcurrentChangeError, true],
  ])('%o is retryable: %s', (ErrorClass, retryable) => {
    const error = new ErrorClass('x');
    expect(isRetryable(error)).toBe(retryable);
    expect(error.name).toBe(ErrorClass.name);
    expect(error).toBeInstanceOf(RemediationHubError);
  });

  it('makes an unreadable account directory a retry that names the source', () => {
    const error = new AccountDirectoryUnavailableError('registry down', {
      source: 'registry',
      accountId: '111111111111',
    });
    expect(isRetryable(error)).toBe(true);
    expect(error).toMatchObject({ name: 'AccountDirectoryUnavailableError', source: 'registry' });
  });

  it('treats an unknown error as retryable, so no alert is lost', () => {
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
    expect(isRetryable('boom')).toBe(true);
  });

  it('keeps the cause and the domain fields', () => {
    const cause = new Error('denied');
    const error = new AccessDeniedError('refused', {
      cause,
      accountId: '111111111111',
      region: 'us-east-1',
      groupId: 'sg-1',
      alertId: 'a',
    });
    expect(error).toMatchObject({
      cause,
      accountId: '111111111111',
      region: 'us-east-1',
      groupId: 'sg-1',
      alertId: 'a',
    });
    expect(new ConfigurationError('x').cause).toBeUndefined();
  });
});
