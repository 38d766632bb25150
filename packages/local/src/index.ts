export { type AlertSpec, type EvidentDocument, loadSampleAlert, makeAlert, snsEnvelope } from './alerts.js';
export {
  type AccountClients,
  accountClients,
  assumeAccount,
  awsClientConfig,
  type ClientConfigOptions,
  DEFAULT_REGION,
  emulatorEndpoint,
  HUB_ACCOUNT_ID,
  hubClients,
  hubCredentials,
  ORGANIZATION_ACCESS_ROLE,
  resetEmulator,
  type StaticCredentials,
  useEmulator,
} from './clients.js';
export { type ConsumeQueueOptions, type ConsumeSummary, consumeQueue } from './consumeQueue.js';
export { createAccountRegistryTable } from './createAccountRegistryTable.js';
export { createLedgerTable, type LedgerTableInfo } from './createLedgerTable.js';
export { createPacingTable } from './createPacingTable.js';
export { type Emulator, MOTO_REQUIREMENT, startEmulator, stopStaleEmulators } from './emulator.js';
export { localLambdaContext } from './lambdaContext.js';
export { EXTERNAL_ID_TAG, type LocalUpOptions, type LocalUpResult, localUp } from './localUp.js';
export { MEMBER_ROLE, memberRolePolicyDocument, memberRoleTrustPolicy } from './memberRolePolicies.js';
export {
  createMemberAccounts,
  createOrganizationalUnit,
  ensureOrganization,
  type LocalOrganization,
  moveAccount,
} from './organization.js';
export {
  type OutcomeSubscription,
  type ReceivedOutcomeEvent,
  receiveOutcomeEvents,
  subscribeOutcomeQueue,
} from './outcomeSubscription.js';
export { type EnsureOptions, ensurePythonTool, installFailure, type PythonTool } from './pythonTool.js';
export {
  awsQueryError,
  ec2Error,
  type InjectedResponse,
  type RateLimitCounts,
  type RateLimitOptions,
  type RecordedRequest,
  type RecordingProxy,
  type RequestMatcher,
  startRecordingProxy,
} from './recordingProxy.js';
export { cacheDir, repoRoot } from './repoRoot.js';
export { type EventBridgeEvent, putEvents } from './securityHubEvents.js';
export {
  makePrismaCloudAlert,
  makeSecurityHubFinding,
  type PrismaCloudAlertSpec,
  prismaCloudTestMessage,
  SECURITY_HUB_FORMS,
  type SecurityHubFindingSpec,
  type SecurityHubForm,
  securityHubEvent,
} from './sourceAlerts.js';
export { type SyntheticRecordSpec, syntheticSqsRecord } from './syntheticSqsRecord.js';
