import { createLogger, type Logger, logLevel } from '@remediation-hub/hub-handler';
import { InvalidArgumentError } from 'commander';

type Env = Readonly<Record<string, string | undefined>>;

/** The emulator accepts any key; moto maps unknown keys to its default account, the hub account. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * The hub's credentials for a CLI run: the SDK's default chain, except against an emulator
 * (`AWS_ENDPOINT_URL`) when no credentials are configured at all, where the emulator's placeholder keys
 * are used instead of letting the chain probe the instance metadata service.
 */
export function cliHubCredentials(env: Env = process.env): typeof EMULATOR_CREDENTIALS | undefined {
  const configured = [
    'AWS_ACCESS_KEY_ID',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  ].some((name) => (env[name] ?? '') !== '');
  return env.AWS_ENDPOINT_URL && !configured ? EMULATOR_CREDENTIALS : undefined;
}

/** CLI logs go to stderr (stdout stays clean for `--json`), level `warn` unless told otherwise. */
export function cliLogger(level: string | undefined, env: Env = process.env): Logger {
  return createLogger({ level: logLevel(level ?? env.LOG_LEVEL, 'warn'), destination: 'stderr' });
}

/** A commander option parser for integers within a range. */
export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}
