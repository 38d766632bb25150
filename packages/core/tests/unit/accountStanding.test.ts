import { describe, expect, it } from 'vitest';
import {
  decideStanding,
  REGISTRY_STANDINGS,
  type StandingInputs,
  UNREADABLE,
} from '../../src/accountStanding.js';

const nowhere = { allowed: false, dryRun: false };
const inputs = (overrides: Partial<StandingInputs>): StandingInputs => ({
  registry: undefined,
  organizations: undefined,
  environment: nowhere,
  ...overrides,
});

describe('decideStanding', () => {
  it('lets an explicit registry deny win over an allowed OU and the allow-list', () => {
    expect(
      decideStanding(
        inputs({
          registry: 'deny',
          organizations: { allowed: true, dryRun: false },
          environment: { allowed: true, dryRun: false },
        }),
      ),
    ).toEqual({ standing: 'not-allowed', source: 'registry' });
  });

  it("lets the registry's dry-run or remediate set the mode over the OUs' and the lists'", () => {
    expect(
      decideStanding(inputs({ registry: 'remediate', organizations: { allowed: true, dryRun: true } })),
    ).toEqual({ standing: 'remediate', source: 'registry' });
    expect(
      decideStanding(inputs({ registry: 'dry-run', environment: { allowed: true, dryRun: false } })),
    ).toEqual({ standing: 'dry-run', source: 'registry' });
    // Not allowed anywhere else: the registry's word is an allowance too.
    expect(decideStanding(inputs({ registry: 'remediate' }))).toEqual({
      standing: 'remediate',
      source: 'registry',
    });
  });

  it("allows a registry 'allow' in the mode the deployment gives the account", () => {
    expect(decideStanding(inputs({ registry: 'allow' }))).toEqual({
      standing: 'remediate',
      source: 'registry',
    });
    expect(
      decideStanding(inputs({ registry: 'allow', organizations: { allowed: false, dryRun: true } })),
    ).toEqual({ standing: 'dry-run', source: 'registry' });
  });

  it('allows an account under an allowed OU, in dry-run when it is under a dry-run OU too', () => {
    expect(
      decideStanding(inputs({ registry: null, organizations: { allowed: true, dryRun: false } })),
    ).toEqual({
      standing: 'remediate',
      source: 'organizations',
    });
    expect(decideStanding(inputs({ organizations: { allowed: true, dryRun: true } }))).toEqual({
      standing: 'dry-run',
      source: 'organizations',
    });
  });

  it('falls back on the environment lists, whose dry-run marker also narrows an OU allowance', () => {
    expect(decideStanding(inputs({ environment: { allowed: true, dryRun: false } }))).toEqual({
      standing: 'remediate',
      source: 'environment',
    });
    expect(
      decideStanding(
        inputs({
          organizations: { allowed: true, dryRun: false },
          environment: { allowed: false, dryRun: true },
        }),
      ),
    ).toEqual({ standing: 'dry-run', source: 'organizations' });
  });

  it('never lets a dry-run marker alone into an account', () => {
    expect(
      decideStanding(
        inputs({
          registry: null,
          organizations: { allowed: false, dryRun: true },
          environment: { allowed: false, dryRun: true },
        }),
      ),
    ).toEqual({ standing: 'not-allowed', source: 'none' });
  });

  it('is unknown when the registry cannot be read, whatever else allows the account: a deny may be there', () => {
    for (const environment of [nowhere, { allowed: true, dryRun: false }]) {
      expect(
        decideStanding(
          inputs({ registry: UNREADABLE, organizations: { allowed: true, dryRun: false }, environment }),
        ),
      ).toEqual({ standing: 'unknown', unreadable: 'registry' });
    }
  });

  it('is unknown when Organizations cannot be read and no registry entry decides the account', () => {
    for (const environment of [nowhere, { allowed: true, dryRun: false }]) {
      expect(decideStanding(inputs({ registry: null, organizations: UNREADABLE, environment }))).toEqual({
        standing: 'unknown',
        unreadable: 'organizations',
      });
    }
    // Allowed by the lists but in dry-run there: whatever the OUs say, the account is in dry-run.
    expect(
      decideStanding(inputs({ organizations: UNREADABLE, environment: { allowed: true, dryRun: true } })),
    ).toEqual({ standing: 'dry-run', source: 'environment' });
  });

  it('needs no Organizations answer for an account the registry decides', () => {
    for (const registry of ['deny', 'dry-run', 'remediate'] as const) {
      expect(decideStanding(inputs({ registry, organizations: UNREADABLE })).standing).toBe(
        registry === 'deny' ? 'not-allowed' : registry,
      );
    }
    // 'allow' leaves the mode to the OUs: with Organizations unreadable, that is unknown...
    expect(decideStanding(inputs({ registry: 'allow', organizations: UNREADABLE }))).toEqual({
      standing: 'unknown',
      unreadable: 'organizations',
    });
    // ...unless no dry-run OU is configured: no OU answer could put the account in dry-run.
    expect(
      decideStanding(inputs({ registry: 'allow', organizations: UNREADABLE, dryRunUnits: false })),
    ).toEqual({
      standing: 'remediate',
      source: 'registry',
    });
    // An account nothing else allows still needs the OUs' answer.
    expect(
      decideStanding(inputs({ registry: null, organizations: UNREADABLE, dryRunUnits: false })).standing,
    ).toBe('unknown');
  });

  it('never answers remediate where a readable deny or the absence of any allowance says otherwise', () => {
    const memberships = [
      undefined,
      UNREADABLE,
      ...[false, true].flatMap((allowed) => [false, true].map((dryRun) => ({ allowed, dryRun }))),
    ] as const;
    for (const registry of [undefined, null, UNREADABLE, ...REGISTRY_STANDINGS] as const) {
      for (const organizations of memberships) {
        for (const allowed of [false, true]) {
          for (const dryRun of [false, true]) {
            const decision = decideStanding({ registry, organizations, environment: { allowed, dryRun } });
            if (registry === 'deny') expect(decision.standing).toBe('not-allowed');
            const anyAllowance =
              registry === UNREADABLE ||
              organizations === UNREADABLE ||
              (registry !== undefined && registry !== null) ||
              (typeof organizations === 'object' && organizations.allowed) ||
              allowed;
            if (!anyAllowance) expect(decision.standing).toBe('not-allowed');
            if (decision.standing !== 'unknown' && decision.standing !== 'not-allowed')
              expect(anyAllowance).toBe(true);
          }
        }
      }
    }
  });
});
