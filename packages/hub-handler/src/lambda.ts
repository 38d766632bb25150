import { loadConfig } from '@remediation-hub/core';
import { createCompositionRoot } from './compositionRoot.js';
import { createLambdaHandler } from './handler/createLambdaHandler.js';
import { createLogger, logLevel } from './logging/createLogger.js';
import { HubMetrics } from './metrics/HubMetrics.js';

// Built once per Lambda container: configuration is validated at start (a bad variable fails the
// init with one line per problem), base clients and the credentials cache live as long as the container.
const logger = createLogger({ level: logLevel(process.env.LOG_LEVEL, 'info'), destination: 'stdout' });

function init() {
  try {
    // EMF lines on stdout, beside the log lines: CloudWatch extracts the metrics, no API call.
    const metrics = new HubMetrics({ logger });
    return createCompositionRoot({ config: loadConfig(process.env), logger, metrics });
  } catch (error) {
    logger.fatal({ err: error }, 'the hub cannot start');
    throw error;
  }
}

/** The SQS-triggered entry point that infra bundles (esbuild, ESM). */
export const handler = createLambdaHandler(init());
