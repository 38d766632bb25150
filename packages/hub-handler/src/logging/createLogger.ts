import { LOG_LEVELS } from '@remediation-hub/core';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** `value` when it is a pino level, else `fallback` (an invalid `LOG_LEVEL` is reported by `loadConfig`). */
export function logLevel(value: string | undefined, fallback: string): string {
  return value !== undefined && (LOG_LEVELS as readonly string[]).includes(value) ? value : fallback;
}

/** Credential paths that never reach a log line, wherever they are nested. */
export const REDACTED_PATHS = [
  'credentials',
  '*.credentials',
  'secretAccessKey',
  'sessionToken',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.*.secretAccessKey',
  '*.*.sessionToken',
];

export interface CreateLoggerOptions {
  level?: string;
  /**
   * `stdout` (Lambda: a synchronous destination, so nothing is lost when the container freezes),
   * `stderr` (the CLI: stdout stays clean for `--json`), or any pino destination stream (tests).
   */
  destination?: 'stdout' | 'stderr' | DestinationStream;
  /** Fields on every line (e.g. `{ service: 'remediation-hub' }`). */
  base?: Record<string, string>;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.base ?? { service: 'remediation-hub' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const destination = options.destination ?? 'stdout';
  if (destination === 'stdout') return pino(config, pino.destination({ dest: 1, sync: true }));
  if (destination === 'stderr') return pino(config, pino.destination({ dest: 2, sync: true }));
  return pino(config, destination);
}
