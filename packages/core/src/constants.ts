/** The two CIDRs that mean "the whole internet". Compared by equality, never containment. */
export const WORLD_IPV4 = '0.0.0.0/0';
export const WORLD_IPV6 = '::/0';

export const ALERT_STATUSES = ['fail', 'warn', 'pass', 'error', 'info'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Statuses that mean "the exposure is there": only these are acted on. */
export const ACTIONABLE_STATUSES: readonly AlertStatus[] = ['fail', 'warn'];

export const STRATEGIES = ['revoke', 'narrow'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const REMEDIATION_MODES = ['remediate', 'dry-run'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

export const DECISIONS = ['remediate', 'compliant', 'exempt', 'ignored', 'unsupported'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What the hub finally did with one alert notification; the ledger's `outcome`. */
export const OUTCOMES = [
  'remediated',
  'already-compliant',
  'exempt',
  'dry-run',
  'ignored',
  'unsupported',
  'rejected',
  'resource-gone',
  'failed',
  'duplicate',
  'reverted',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DEFAULT_EXEMPT_TAG_KEY = 'remediation-hub:exempt';
export const DEFAULT_STRATEGY: Strategy = 'revoke';

/** Seconds a claim stays exclusive to one worker before another may take it over. */
export const DEFAULT_LEASE_SECONDS = 120;
/**
 * Receives before the hub queue moves a message to its dead-letter queue. Deterministic failures end as
 * recorded outcomes (or a dead letter that says why) at the first delivery, so retries are only for transient
 * trouble: ten leaves room for a few receives whose answers were lost on top of a throttled stretch.
 */
export const DEFAULT_MAX_RECEIVE_COUNT = 10;
/** Ledger items expire (DynamoDB TTL) this many days after they are written. */
export const DEFAULT_RETENTION_DAYS = 400;
