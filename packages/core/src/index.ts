export { accountRefusal } from './accountCheck.js';
export {
  ACCOUNT_REGISTRY_TABLE,
  type RegistryAction,
  type RegistryAuditEvent,
  type RegistryChangeRequest,
  type RegistryEntry,
  registryChange,
  syncChanges,
} from './accountRegistry.js';
export {
  decideStanding,
  type OrganizationsMembership,
  REGISTRY_STANDINGS,
  type RegistryStanding,
  type StandingDecision,
  type StandingInputs,
  type StandingSource,
  UNREADABLE,
  type Unreadable,
} from './accountStanding.js';
export { applyPlan } from './applyPlan.js';
export {
  type AttemptProgress,
  checkpointRecord,
  completedRecord,
  releasedRecord,
  resumeProgress,
  unclaimedRecord,
} from './attemptRecord.js';
export type { CidrRule } from './cidrRule.js';
export {
  type ClaimDecision,
  DEFAULT_RECLAIMABLE_OUTCOMES,
  decideClaim,
  firstClaim,
  wasReleased,
} from './claimDecision.js';
export * from './constants.js';
export { outcomeWithoutChanges } from './decisionOutcome.js';
export * from './errors.js';
export { exposes, exposureLabel } from './exposure.js';
export {
  type AccountClaim,
  type Finding,
  type FindingKey,
  type Inactive,
  SOURCES,
  type Source,
  safeKey,
  targetOf,
} from './finding.js';
export { assertLeaseMargin, type LeaseHeld, leaseMarginMs } from './leaseMargin.js';
export type { LedgerRecord, RecordedError, RecordState } from './ledgerRecord.js';
export { notificationEventKey, undoEventKey } from './ledgerRecord.js';
export { LEDGER_TABLE, type LedgerIndexName } from './ledgerTable.js';
export {
  ORGANIZATION_ID_PATTERN,
  type OrganizationalUnitRef,
  parseOrganizationalUnitRef,
} from './organizationalUnits.js';
export { parseFindings, type ReadFinding, type UnreadableFinding } from './parseFindings.js';
export { parseSecurityGroup } from './parseSecurityGroup.js';
export {
  hasRule,
  isPortRange,
  isSubRange,
  keyOfPermission,
  permissionKey,
  samePermission,
  sameRule,
} from './permissionIdentity.js';
export type { PlanOptions, RemediationPlan } from './plan.js';
export { decideWithoutTheGroup, planRemediation } from './planRemediation.js';
export type * from './ports.js';
export { type ProtocolName, protocolName, type ReadPermission, readPermission } from './readPermission.js';
export {
  type ControlRef,
  type Explanation,
  type Note,
  type NoteCode,
  type Reason,
  type ReasonCode,
  renderExplanation,
  renderNote,
  renderReason,
} from './reasons.js';
export { reclaimableOutcomes } from './reclaimableOutcomes.js';
export { AWS_REGIONS, isKnownRegionCode, regionFromEvidentCode } from './regions.js';
export {
  configurationProblems,
  HUB_SETTINGS,
  HUB_VARIABLES,
  type HubConfig,
  type HubSettingName,
  hubEnvironment,
  LOG_LEVELS,
  loadConfig,
  partitionOfRegion,
} from './settings.js';
export { type Exposure, findSignature, SIGNATURES, type SignatureDefinition } from './signatures.js';
export { toRecordedError } from './toRecordedError.js';
export type * from './types.js';
export { pendingReauthorizations, unmadeReauthorizations } from './unmadeReauthorizations.js';
export { type UnrecordedChanges, unrecordedChanges } from './unrecordedChanges.js';
export { type WorldExposure, worldExposures } from './worldExposures.js';
