export { DynamoDbLedger, type DynamoDbLedgerOptions } from './adapters/DynamoDbLedger.js';
export {
  type Ec2MutationResult,
  Ec2SecurityGroupGateway,
  type Ec2SecurityGroupGatewayOptions,
} from './adapters/Ec2SecurityGroupGateway.js';
export { awsErrorCode, mapAwsError } from './adapters/mapAwsError.js';
export { StsCredentialsCache, type StsCredentialsCacheOptions } from './adapters/StsCredentialsCache.js';
export {
  EC2_DESCRIBE_RATE,
  EC2_MUTATING_RATE,
  type RateLimiter,
  TokenBucketLimiter,
  type TokenBucketOptions,
} from './adapters/TokenBucketLimiter.js';
export { main } from './cli/main.js';
export {
  type CompositionRoot,
  type CompositionRootOptions,
  createCompositionRoot,
} from './compositionRoot.js';
export { configurationProblems, type HubConfig, loadConfig, partitionOfRegion } from './config.js';
export {
  type ConsumeQueueOptions,
  type ConsumeSummary,
  consumeQueue,
  countOutcomes,
} from './consume/consumeQueue.js';
export { createLambdaHandler, type LambdaHandlerOptions } from './handler/createLambdaHandler.js';
export {
  type AlertMessage,
  type AlertProcessorDeps,
  type AlertResult,
  type ProcessingSettings,
  processAlert,
} from './handler/processAlert.js';
export {
  type BatchOptions,
  type BatchProcessorDeps,
  type BatchResult,
  processBatch,
} from './handler/processBatch.js';
export { createLedgerTable, type LedgerTableInfo } from './local/createLedgerTable.js';
export {
  EXTERNAL_ID_TAG,
  type LocalUpOptions,
  type LocalUpResult,
  localUp,
  ORGANIZATION_ACCESS_ROLE,
} from './local/localUp.js';
export { MEMBER_ROLE, memberRolePolicyDocument, memberRoleTrustPolicy } from './local/memberRolePolicies.js';
export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  REDACTED_PATHS,
} from './logging/createLogger.js';
export { systemClock } from './systemClock.js';
