import { CliUsageError } from '../io.js';

type Env = Record<string, string | undefined>;

/** An AWS region as AWS spells it (the shape, so that a region newer than the CLI still passes). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Refuses, before anything waits on the network, an environment the SDK would turn into a late or cryptic
 * failure: `AWS_ENDPOINT_URL=foo` (a `TypeError: Invalid URL` after a 10 s wait), `AWS_REGION=mars` (an HTML
 * page where a JSON answer was expected).
 */
export function checkAwsEnvironment(env: Readonly<Env>): void {
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  if (endpoint) {
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new CliUsageError(
        `AWS_ENDPOINT_URL is not an http(s) URL: ${JSON.stringify(endpoint)}; set it to your emulator (e.g. http://127.0.0.1:5000), or unset it to use AWS`,
      );
    }
  }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const region = env[name]?.trim();
    if (region && !REGION.test(region)) {
      throw new CliUsageError(
        `${name} is not an AWS region: ${JSON.stringify(region)}; set it to one such as us-east-1`,
      );
    }
  }
}

/**
 * The region as the AWS SDK resolves it when `AWS_REGION` is not set: `AWS_DEFAULT_REGION`, then the `region`
 * of the profile (`AWS_PROFILE`, else `default`) in `~/.aws/config` (or `AWS_CONFIG_FILE`). Written into `env`
 * as `AWS_REGION`, which the hub's configuration reads; nothing is written when no region is found (the
 * command then says which variable to set).
 */
export async function resolveRegion(env: Env): Promise<void> {
  if (env.AWS_REGION?.trim()) return;
  const fallback = env.AWS_DEFAULT_REGION?.trim();
  if (fallback) {
    env.AWS_REGION = fallback;
    return;
  }
  // Loaded only when needed: the SDK's own region chain (env, then the shared config file of the profile).
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  try {
    const region = await client.config.region();
    if (region && REGION.test(region)) env.AWS_REGION = region;
  } catch {
    // No region anywhere: the command names the variable to set.
  } finally {
    client.destroy();
  }
}
