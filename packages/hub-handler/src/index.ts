export { type AccountSources, accountSourcesFor } from './accountDirectoryFor.js';
export {
  AccountRegistryAdmin,
  type AccountRegistryAdminOptions,
  type RegistryChangeResult,
} from './adapters/AccountRegistryAdmin.js';
export {
  CompositeAccountDirectory,
  type CompositeAccountDirectoryOptions,
  type ExplainedStanding,
  type MembershipReader,
  type RegistryReader,
} from './adapters/CompositeAccountDirectory.js';
export {
  DynamoDbAccountRegistry,
  type DynamoDbAccountRegistryOptions,
  type RegistrySnapshot,
} from './adapters/DynamoDbAccountRegistry.js';
export { DynamoDbLedger, type DynamoDbLedgerOptions } from './adapters/DynamoDbLedger.js';
export {
  DynamoDbMembershipStore,
  type MembershipStore,
  membershipKey,
  type StoredMembership,
} from './adapters/DynamoDbMembershipStore.js';
export {
  DynamoDbOutcomeEventLedger,
  type DynamoDbOutcomeEventLedgerOptions,
} from './adapters/DynamoDbOutcomeEventLedger.js';
export { DynamoDbRevertRecorder, type RevertRecorderOptions } from './adapters/DynamoDbRevertRecorder.js';
export {
  type Ec2MutationResult,
  Ec2SecurityGroupGateway,
  type Ec2SecurityGroupGatewayOptions,
} from './adapters/Ec2SecurityGroupGateway.js';
export { EnvironmentAccountDirectory } from './adapters/EnvironmentAccountDirectory.js';
export { awsErrorCode, mapAwsError } from './adapters/mapAwsError.js';
export {
  ORGANIZATIONS_CONCURRENCY,
  ORGANIZATIONS_RATE,
  OrganizationsAccountDirectory,
  type OrganizationsAccountDirectoryOptions,
  type OrganizationsSnapshot,
} from './adapters/OrganizationsAccountDirectory.js';
export { RefreshingCache, type RefreshingCacheOptions } from './adapters/RefreshingCache.js';
export { SecurityHubWriteBack, type SecurityHubWriteBackOptions } from './adapters/SecurityHubWriteBack.js';
export {
  type PublishResult,
  SnsOutcomePublisher,
  type SnsOutcomePublisherOptions,
} from './adapters/SnsOutcomePublisher.js';
export { StsCredentialsCache, type StsCredentialsCacheOptions } from './adapters/StsCredentialsCache.js';
export {
  type FindingUpdate,
  NOTE_MAX_LENGTH,
  securityHubFindingUpdate,
} from './adapters/securityHubFindingUpdate.js';
export {
  EC2_DESCRIBE_RATE,
  EC2_MUTATING_RATE,
  type RateLimiter,
  TokenBucketLimiter,
  type TokenBucketOptions,
} from './adapters/TokenBucketLimiter.js';
export {
  type CompositionRoot,
  type CompositionRootOptions,
  createCompositionRoot,
} from './compositionRoot.js';
export { BatchProgress, NOT_STARTED, UNFINISHED } from './handler/BatchProgress.js';
export { createLambdaHandler, type LambdaHandlerOptions } from './handler/createLambdaHandler.js';
export {
  type AlertMessage,
  type AlertProcessorDeps,
  type AlertResult,
  type ProcessingSettings,
  processAlert,
  processMessage,
} from './handler/processAlert.js';
export {
  type BatchOptions,
  type BatchProcessorDeps,
  type BatchResult,
  countOutcomes,
  processBatch,
} from './handler/processBatch.js';
export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  logLevel,
  REDACTED_PATHS,
} from './logging/createLogger.js';
export { countThrottledRetries } from './metrics/countThrottledRetries.js';
export {
  HUB_METRICS,
  HubMetrics,
  type HubMetricsOptions,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from './metrics/HubMetrics.js';
export { type RequestLoggerContext, requestLogger } from './middleware/requestLogger.js';
export { systemClock } from './systemClock.js';
