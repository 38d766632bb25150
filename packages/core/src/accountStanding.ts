import type { AccountStanding } from './ports.js';

/**
 * What an operator can say about one account in the account registry: never act there (`deny`, which wins over
 * everything), act there with the mode the deployment gives it (`allow`), or act there in that mode whatever the
 * deployment says (`dry-run`, `remediate`).
 */
export const REGISTRY_STANDINGS = ['deny', 'allow', 'dry-run', 'remediate'] as const;
export type RegistryStanding = (typeof REGISTRY_STANDINGS)[number];

/** Where an account's standing came from. */
export type StandingSource = 'registry' | 'organizations' | 'environment' | 'none';

/** Where an account sits among the OUs the hub was told about. */
export interface OrganizationsMembership {
  /** Under one of `ALLOWED_OUS` (directly or in a child OU). */
  allowed: boolean;
  /** Under one of `DRY_RUN_OUS`. */
  dryRun: boolean;
}

/** A source that is configured but could not be read (or was not read yet). */
export const UNREADABLE = 'unreadable';
export type Unreadable = typeof UNREADABLE;

export interface StandingInputs {
  /**
   * The account's registry entry: its standing, `null` when the registry has none for it, `undefined` when the
   * deployment has no registry, `UNREADABLE` when it has one that could not be read.
   */
  registry: RegistryStanding | null | undefined | Unreadable;
  /** The account's OU membership; `undefined` when no OU is configured, `UNREADABLE` when Organizations was not read. */
  organizations: OrganizationsMembership | undefined | Unreadable;
  /**
   * Whether any dry-run OU is configured (default true). Without one, an unreadable Organizations cannot put an
   * account in dry-run, so a registry `allow` needs no Organizations answer.
   */
  dryRunUnits?: boolean;
  /** `ALLOWED_ACCOUNTS` and `DRY_RUN_ACCOUNTS`, always known. */
  environment: { allowed: boolean; dryRun: boolean };
}

export type StandingDecision =
  | { standing: AccountStanding; source: StandingSource }
  /** The answer depends on a source that could not be read: retry later, call nothing. */
  | { standing: 'unknown'; unreadable: 'registry' | 'organizations' };

/**
 * The hub's precedence rule for one account:
 * 1. a registry `deny` wins over everything: not allowed;
 * 2. a registry `dry-run` or `remediate` allows the account in that mode, whatever the OUs and lists say;
 * 3. otherwise the account is allowed when the registry says `allow`, or it is under an allowed OU, or it is in
 *    `ALLOWED_ACCOUNTS`; it is then in dry-run when it is under a `DRY_RUN_OUS` unit or in `DRY_RUN_ACCOUNTS`
 *    (dry-run markers only ever narrow: they never let the hub into an account), else remediate;
 * 4. otherwise not allowed.
 *
 * Fails closed: a source that could not be read is `unknown` whenever its answer could change the decision (every
 * answer it might give is tried), so the alert is retried, never rejected for an outage nor acted on without an
 * allowance. A registry entry makes Organizations irrelevant for that account, so it need not be read.
 */
export function decideStanding(inputs: StandingInputs): StandingDecision {
  const registries: ReadonlyArray<RegistryStanding | null | undefined> =
    inputs.registry === UNREADABLE ? [null, ...REGISTRY_STANDINGS] : [inputs.registry];
  const memberships: ReadonlyArray<OrganizationsMembership | undefined> =
    inputs.organizations === UNREADABLE
      ? [false, true].flatMap((allowed) =>
          (inputs.dryRunUnits === false ? [false] : [false, true]).map((dryRun) => ({ allowed, dryRun })),
        )
      : [inputs.organizations];
  let decided: { standing: AccountStanding; source: StandingSource } | undefined;
  for (const registry of registries) {
    for (const organizations of memberships) {
      const decision = decideKnown(registry, organizations, inputs.environment);
      if (decided === undefined) decided = decision;
      else if (decided.standing !== decision.standing) {
        return {
          standing: 'unknown',
          unreadable: inputs.registry === UNREADABLE ? 'registry' : 'organizations',
        };
      }
    }
  }
  if (decided === undefined) throw new Error('decideStanding: no decision');
  return decided;
}

function decideKnown(
  registry: RegistryStanding | null | undefined,
  organizations: OrganizationsMembership | undefined,
  environment: StandingInputs['environment'],
): { standing: AccountStanding; source: StandingSource } {
  if (registry === 'deny') return { standing: 'not-allowed', source: 'registry' };
  if (registry === 'dry-run' || registry === 'remediate') return { standing: registry, source: 'registry' };
  const source: StandingSource | undefined =
    registry === 'allow'
      ? 'registry'
      : organizations?.allowed
        ? 'organizations'
        : environment.allowed
          ? 'environment'
          : undefined;
  if (source === undefined) return { standing: 'not-allowed', source: 'none' };
  const dryRun = organizations?.dryRun === true || environment.dryRun;
  return { standing: dryRun ? 'dry-run' : 'remediate', source };
}
