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
  hasDoubt,
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
export {
  type AuthorizedPorts,
  BOTH_FAMILIES,
  CONTROLS,
  type ControlDefinition,
  type ExposureSpec,
  findControl,
  SCAN_CONTROLS,
  scanControlId,
  type WorldFamily,
} from './controls.js';
export { outcomeWithoutChanges } from './decisionOutcome.js';
export { wellFormed } from './describeIssue.js';
export { digestOf } from './digest.js';
export * from './errors.js';
export { type Exemption, findExemption } from './exemption.js';
export {
  type AccountClaim,
  type ControlParameters,
  type Finding,
  type FindingKey,
  type Inactive,
  SOURCES,
  type Source,
  type SourceRef,
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
export {
  OUTCOME_EVENT,
  OUTCOME_EVENT_SCHEMA_VERSION,
  OUTCOME_EVENT_TYPE,
  type OutcomeEvent,
  type OutcomeEventAttributes,
  type OutcomeEventRule,
  outcomeEvent,
  outcomeEventAttributes,
  rulesOf,
  timeToCloseSeconds,
  undoCommand,
  worldOpenRules,
} from './outcomeEvent.js';
export {
  type OutcomeEventDelivery,
  owesOutcomeEvent,
  PENDING_EVENT,
  RESEND_AFTER_MS,
  withPendingEvent,
} from './outcomeEventDelivery.js';
export {
  claimSlots,
  DEFAULT_PACING_BURST,
  DEFAULT_PACING_GRANT,
  PACING_MODES,
  PACING_TABLE,
  type PacingMode,
  pacingEngaged,
  SHARED_RATE_SHARE,
  scheduleFloor,
  slotMillis,
  slotsEndingAt,
  slotsToClaim,
} from './pacing.js';
export { parseFindings, type ReadFinding, type UnreadableFinding } from './parseFindings.js';
export { parseSecurityGroup } from './parseSecurityGroup.js';
export {
  hasRule,
  isPartOf,
  isPortRange,
  isSubRange,
  keyOfPermission,
  permissionKey,
  samePermission,
  sameRule,
} from './permissionIdentity.js';
export type { PlanOptions, RemediationPlan } from './plan.js';
export { decideWithoutTheGroup, planRemediation } from './planRemediation.js';
export type { PortRange } from './portRanges.js';
export type * from './ports.js';
export { PRISMA_CLOUD_POLICIES } from './prismaCloudPolicies.js';
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
export { AWS_REGIONS, isAwsRegion, isKnownRegionCode, regionFromEvidentCode } from './regions.js';
export { type ScanDecision, scanDecision } from './scanDecision.js';
export { type GroupScan, type ScanExposure, type ScanOptions, scanGroup } from './scanGroup.js';
export { CIS_1_2_RULE_CONTROLS, EC2_19_PORTS, SECURITY_HUB_CONTROLS } from './securityHubControls.js';
export {
  type EventPattern,
  envelopePattern,
  MAX_EVENT_PATTERN_LENGTH,
  securityHubEventPattern,
} from './securityHubEventPattern.js';
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
  WRITE_BACK_SETTINGS,
} from './settings.js';
export { type Exposure, findSignature, SIGNATURES, type SignatureDefinition } from './signatures.js';
export {
  exposureRule,
  parseScanFinding,
  type ScanFindingSpec,
  scanEventKey,
  scanFindingDocument,
  scanFindingId,
} from './sources/parseScanFinding.js';
export { SCAN_FINDING_MARKER, type ScanFindingDocument } from './sources/scanSchema.js';
export { toRecordedError } from './toRecordedError.js';
export type * from './types.js';
export { pendingReauthorizations, unmadeReauthorizations } from './unmadeReauthorizations.js';
export { type UnrecordedChanges, unrecordedChanges } from './unrecordedChanges.js';
export { type WorldExposure, worldExposures } from './worldExposures.js';
