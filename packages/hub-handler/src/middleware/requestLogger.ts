import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../logging/createLogger.js';

/**
 * The Lambda context once `requestLogger` ran: `logger` is the invocation's logger. Optional in the type only,
 * so that callers outside Lambda (the CLI's `consume` and `replay`, tests) keep passing a plain `Context`
 * (middy types the handler's callers with the context its middlewares produce); the middleware sets it before
 * the handler runs.
 */
export interface RequestLoggerContext extends Context {
  logger?: Logger;
}

/**
 * A middy middleware that gives every log line of an invocation the Lambda request id: before the handler, it
 * puts a child of `logger` bound to `{ awsRequestId }` on `request.context.logger` (middlewares hand values to
 * the handler through the context, as middy's `setToContext` middlewares do). The handler passes it down, and
 * the per-alert loggers are its children, so they carry the id too.
 *
 * A child logger per invocation rather than a mutable request id on the root logger (a pino `mixin`, Powertools'
 * `addContext`): work that outlives its invocation (an alert still running after an early answer, resumed when
 * the container thaws for the next invocation) keeps logging under its own request id, not the next one's.
 */
export function requestLogger(logger: Logger): MiddlewareObj<unknown, unknown, Error, RequestLoggerContext> {
  return {
    name: 'requestLogger',
    before: (request) => {
      request.context.logger = logger.child({ awsRequestId: request.context.awsRequestId });
    },
  };
}
