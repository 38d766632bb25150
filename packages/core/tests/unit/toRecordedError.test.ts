import { describe, expect, it } from 'vitest';
import { AccessDeniedError, ThrottledError, toRecordedError, UnexpectedAwsError } from '../../src/index.js';

/** Shaped like an AWS SDK v3 service exception, which the core cannot import. */
class FakeServiceException extends Error {
  readonly $metadata = { httpStatusCode: 403, requestId: 'req-1' };
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

describe('toRecordedError', () => {
  it('records a terminal hub error with the AWS code of its cause', () => {
    const cause = new FakeServiceException('UnauthorizedOperation', 'You are not authorized');
    expect(toRecordedError(new AccessDeniedError('the member role refused the hub', { cause }))).toEqual({
      name: 'AccessDeniedError',
      message: 'the member role refused the hub',
      retryable: false,
      code: 'UnauthorizedOperation',
    });
  });

  it('records a retryable hub error without a code', () => {
    expect(toRecordedError(new ThrottledError('slow down'))).toEqual({
      name: 'ThrottledError',
      message: 'slow down',
      retryable: true,
    });
  });

  it('takes the code an error carries itself first', () => {
    const error = new UnexpectedAwsError('odd', {
      code: 'InvalidParameterValue',
      cause: new FakeServiceException('X', 'y'),
    });
    expect(toRecordedError(error)).toEqual({
      name: 'UnexpectedAwsError',
      message: 'odd',
      retryable: false,
      code: 'InvalidParameterValue',
    });
  });

  it('records a Node error code, and an unknown error as retryable', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toRecordedError(reset)).toEqual({
      name: 'Error',
      message: 'socket hang up',
      retryable: true,
      code: 'ECONNRESET',
    });
  });

  it('records an SDK exception by its name', () => {
    expect(
      toRecordedError(new FakeServiceException('RequestLimitExceeded', 'Request limit exceeded.')),
    ).toMatchObject({
      name: 'RequestLimitExceeded',
      code: 'RequestLimitExceeded',
    });
  });

  it.each<[unknown, string]>([
    ['boom', 'boom'],
    [{ reason: 'x' }, '{"reason":"x"}'],
    [undefined, 'undefined'],
    [
      (() => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        return cyclic;
      })(),
      '[object Object]',
    ],
  ])('records a thrown non-error %j', (thrown, message) => {
    expect(toRecordedError(thrown)).toEqual({ name: 'NonError', message, retryable: true });
  });
});
