import type { Clock } from '@remediation-hub/core';

/** The wall clock. Tests inject their own `Clock` to move time (lease expiry, credential refresh). */
export const systemClock: Clock = { now: () => new Date() };
