/** The parts of an SDK v3 retry strategy (`RetryStrategyV2`) the counter wraps. */
interface RetryStrategyV2 {
  acquireInitialRetryToken(scope: string): Promise<unknown>;
  refreshRetryTokenForRetry(token: unknown, errorInfo: { errorType?: string }): Promise<unknown>;
  recordSuccess(token: unknown): void;
}

/** The retry part of a client's extension configuration (`@smithy/types` `RetryStrategyConfiguration`). */
interface RetryConfiguration {
  retryStrategy(): unknown;
  setRetryStrategy(provider: () => Promise<unknown>): void;
}

const isV2 = (strategy: unknown): strategy is RetryStrategyV2 =>
  typeof strategy === 'object' &&
  strategy !== null &&
  typeof (strategy as RetryStrategyV2).acquireInitialRetryToken === 'function' &&
  typeof (strategy as RetryStrategyV2).refreshRetryTokenForRetry === 'function' &&
  typeof (strategy as RetryStrategyV2).recordSuccess === 'function';

/**
 * A client extension (the `extensions` of any SDK v3 client's configuration) that calls `onThrottledRetry` each
 * time the client's own retry strategy decides to retry a throttled call (`errorType` `THROTTLING`: the SDK's
 * classification, `RequestLimitExceeded`, `ThrottlingException`, ...). It wraps the strategy the client made
 * for itself (adaptive, with its own rate limiter per client), so retries behave exactly as before; a throttled
 * call that is not retried (attempts exhausted) is not counted here: it surfaces as a `ThrottledError`.
 */
export function countThrottledRetries(onThrottledRetry: () => void) {
  return {
    configure(configuration: RetryConfiguration): void {
      const inner = configuration.retryStrategy();
      if (typeof inner !== 'function') return;
      let wrapped: Promise<unknown> | undefined;
      configuration.setRetryStrategy(() => {
        wrapped ??= Promise.resolve((inner as () => unknown)()).then((strategy) =>
          isV2(strategy) ? counting(strategy, onThrottledRetry) : strategy,
        );
        return wrapped;
      });
    },
  };
}

function counting(strategy: RetryStrategyV2, onThrottledRetry: () => void): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token, errorInfo) => {
      const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
      if (errorInfo.errorType === 'THROTTLING') onThrottledRetry();
      return next;
    },
    recordSuccess: (token) => strategy.recordSuccess(token),
  };
}
