import {
  AccessDeniedError,
  ResourceGoneError,
  ThrottledError,
  TransientAwsError,
  UnexpectedAwsError,
} from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import {
  awsErrorCode,
  mapAwsError,
  mayHaveBeenApplied,
  refusesCredentials,
} from '../../src/adapters/mapAwsError.js';

/** The shape of an SDK v3 service exception as the SDK deserialises it. */
function serviceError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: 'req-1' },
  });
}

const context = { accountId: '111111111111', region: 'eu-west-1', groupId: 'sg-0123456789abcdef0' };

describe('mapAwsError', () => {
  it.each([
    ['RequestLimitExceeded', 503, ThrottledError],
    ['Throttling', 400, ThrottledError],
    ['ThrottlingException', 400, ThrottledError],
    ['InvalidGroup.NotFound', 400, ResourceGoneError],
    ['AccessDenied', 403, AccessDeniedError],
    ['UnauthorizedOperation', 403, AccessDeniedError],
    ['NoSuchEntity', 404, AccessDeniedError],
    ['ExpiredToken', 400, TransientAwsError],
    ['InternalError', 500, TransientAwsError],
    ['ServiceUnavailable', 503, TransientAwsError],
    ['SomethingNew', 502, TransientAwsError],
    ['InvalidParameterValue', 400, UnexpectedAwsError],
  ])('maps %s (HTTP %i) to %o', (name, status, expected) => {
    const mapped = mapAwsError(serviceError(name, status), 'ec2:Test', context);
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.cause).toBeInstanceOf(Error);
    expect(mapped).toMatchObject(context);
    expect(mapped.message).toContain(`ec2:Test failed: ${name}`);
  });

  it('treats an unknown 4xx as terminal and keeps its code', () => {
    const mapped = mapAwsError(serviceError('InvalidParameterValue', 400), 'ec2:Test', context);
    expect(mapped.retryable).toBe(false);
    expect((mapped as UnexpectedAwsError).code).toBe('InvalidParameterValue');
  });

  it('treats an error without any HTTP answer (reset, timeout) as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(mapAwsError(reset, 'sts:AssumeRole', {})).toBeInstanceOf(TransientAwsError);
    expect(mapAwsError(new Error('who knows'), 'sts:AssumeRole', {}).retryable).toBe(true);
  });

  it('passes the hub’s own errors through unchanged', () => {
    const own = new ResourceGoneError('gone', context);
    expect(mapAwsError(own, 'ec2:Test', {})).toBe(own);
  });
});

describe('awsErrorCode', () => {
  it('reads the code from Code, then name, then code', () => {
    expect(awsErrorCode({ Code: 'InvalidPermission.NotFound', name: 'Other' })).toBe(
      'InvalidPermission.NotFound',
    );
    expect(awsErrorCode(serviceError('AccessDenied', 403))).toBe('AccessDenied');
    expect(awsErrorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(awsErrorCode('a string')).toBeUndefined();
  });
});

describe('refusesCredentials', () => {
  it.each(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'AuthFailure'])(
    'says %s refuses the session credentials',
    (name) => {
      expect(refusesCredentials(serviceError(name, 400))).toBe(true);
    },
  );

  it.each(['UnauthorizedOperation', 'AccessDenied', 'RequestExpired', 'InternalError'])(
    'says %s does not',
    (name) => {
      expect(refusesCredentials(serviceError(name, 403))).toBe(false);
    },
  );
});

describe('mayHaveBeenApplied', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  it.each<[string, unknown, boolean]>([
    ['a reset connection, no answer', reset, true],
    ['a reset, mapped', mapAwsError(reset, 'ec2:Test', context), true],
    ['an internal error (500)', serviceError('InternalError', 500, 'server'), true],
    ['an unknown 502', mapAwsError(serviceError('SomethingNew', 502, 'server'), 'ec2:Test', context), true],
    ['a throttle (503)', mapAwsError(serviceError('RequestLimitExceeded', 503), 'ec2:Test', context), false],
    ['refused credentials', serviceError('AuthFailure', 401), false],
    ['a client error', serviceError('InvalidParameterValue', 400), false],
    ['the hub’s own refusal', new ThrottledError('lease margin reached'), false],
  ])('%s: %s', (_case, error, expected) => {
    expect(mayHaveBeenApplied(error)).toBe(expected);
  });
});
