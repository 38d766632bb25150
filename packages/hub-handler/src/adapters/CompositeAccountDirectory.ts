import {
  type AccountDirectory,
  AccountDirectoryUnavailableError,
  type AccountStanding,
  decideStanding,
  type OrganizationsMembership,
  type RegistryStanding,
  type StandingDecision,
  type StandingInputs,
  UNREADABLE,
} from '@remediation-hub/core';

/** The registry as the directory asks it. */
export interface RegistryReader {
  standing(accountId: string): Promise<RegistryStanding | null>;
}

/** The OUs as the directory asks them. */
export interface MembershipReader {
  membership(accountId: string): Promise<OrganizationsMembership>;
  /** Whether any dry-run OU is configured (default true). */
  readonly hasDryRunUnits?: boolean;
}

export interface CompositeAccountDirectoryOptions {
  /** The account registry, when the deployment has one (`ACCOUNT_REGISTRY_TABLE`). */
  registry?: RegistryReader | undefined;
  /** The OUs, when the deployment names some (`ALLOWED_OUS`). */
  organizations?: MembershipReader | undefined;
  /** `ALLOWED_ACCOUNTS` and `DRY_RUN_ACCOUNTS`. */
  environment: { allowedAccounts: ReadonlySet<string>; dryRunAccounts: ReadonlySet<string> };
}

/** A decision with what it was made from (`accounts list`, `doctor`). */
export interface ExplainedStanding {
  decision: StandingDecision;
  inputs: StandingInputs;
  /** Why a source could not be read. */
  errors: { registry?: unknown; organizations?: unknown };
}

/**
 * The hub's accounts from every configured source, by core's precedence rule (`decideStanding`): a registry deny
 * wins, then the registry's mode, then the OUs and the environment lists. The registry is read first; the OUs only
 * when the registry entry leaves the decision open. When a source that could change the decision cannot be read,
 * `standing` throws a retryable `AccountDirectoryUnavailableError` and nothing reaches STS.
 */
export class CompositeAccountDirectory implements AccountDirectory {
  readonly #registry: RegistryReader | undefined;
  readonly #organizations: MembershipReader | undefined;
  readonly #environment: CompositeAccountDirectoryOptions['environment'];

  constructor(options: CompositeAccountDirectoryOptions) {
    this.#registry = options.registry;
    this.#organizations = options.organizations;
    this.#environment = options.environment;
  }

  async standing(accountId: string): Promise<AccountStanding> {
    const { decision, errors } = await this.explain(accountId);
    if (decision.standing !== 'unknown') return decision.standing;
    const cause = errors[decision.unreadable];
    throw new AccountDirectoryUnavailableError(
      `cannot tell whether the hub may act in account ${accountId}: the ${
        decision.unreadable === 'registry' ? 'account registry' : 'organisation'
      } could not be read${cause instanceof Error ? ` (${cause.message})` : ''}; the alert is retried later`,
      { source: decision.unreadable, accountId, cause },
    );
  }

  async explain(accountId: string): Promise<ExplainedStanding> {
    const errors: ExplainedStanding['errors'] = {};
    let registry: StandingInputs['registry'];
    if (this.#registry !== undefined) {
      try {
        registry = await this.#registry.standing(accountId);
      } catch (error) {
        registry = UNREADABLE;
        errors.registry = error;
      }
    }
    const inputs: StandingInputs = {
      registry,
      // Not read yet: read only if the decision depends on it.
      organizations: this.#organizations === undefined ? undefined : UNREADABLE,
      dryRunUnits: this.#organizations?.hasDryRunUnits ?? true,
      environment: {
        allowed: this.#environment.allowedAccounts.has(accountId),
        dryRun: this.#environment.dryRunAccounts.has(accountId),
      },
    };
    let decision = decideStanding(inputs);
    if (
      decision.standing === 'unknown' &&
      decision.unreadable === 'organizations' &&
      this.#organizations !== undefined
    ) {
      try {
        inputs.organizations = await this.#organizations.membership(accountId);
      } catch (error) {
        errors.organizations = error;
      }
      decision = decideStanding(inputs);
    }
    return { decision, inputs, errors };
  }
}
