import {
  AccountDirectoryUnavailableError,
  type OrganizationsMembership,
  type RegistryStanding,
} from '@remediation-hub/core';
import { describe, expect, it } from 'vitest';
import { CompositeAccountDirectory } from '../../src/adapters/CompositeAccountDirectory.js';

const A = '111111111111';
const B = '222222222222';

/** Sources that count how often they are asked, and fail on demand. */
function sources(
  registry: Record<string, RegistryStanding>,
  underOu: string[],
  options: { registryDown?: boolean; organizationsDown?: boolean } = {},
) {
  const asked = { registry: 0, organizations: 0 };
  return {
    asked,
    registry: {
      standing: async (accountId: string) => {
        asked.registry++;
        if (options.registryDown) throw new Error('registry throttled');
        return registry[accountId] ?? null;
      },
    },
    organizations: {
      membership: async (accountId: string): Promise<OrganizationsMembership> => {
        asked.organizations++;
        if (options.organizationsDown) throw new Error('organizations throttled');
        return { allowed: underOu.includes(accountId), dryRun: false };
      },
    },
  };
}
const environment = { allowedAccounts: new Set<string>(), dryRunAccounts: new Set<string>() };

describe('CompositeAccountDirectory', () => {
  it('asks Organizations only when the registry entry leaves the decision open', async () => {
    const s = sources({ [A]: 'deny' }, [A, B]);
    const directory = new CompositeAccountDirectory({ ...s, environment });
    expect(await directory.standing(A)).toBe('not-allowed');
    expect(s.asked).toEqual({ registry: 1, organizations: 0 });
    expect(await directory.standing(B)).toBe('remediate');
    expect(s.asked).toEqual({ registry: 2, organizations: 1 });
  });

  it('throws a retryable error naming the registry, without asking Organizations, when the registry is down', async () => {
    const s = sources({}, [A], { registryDown: true });
    const directory = new CompositeAccountDirectory({
      ...s,
      environment: { ...environment, allowedAccounts: new Set([A]) },
    });
    const error = await directory.standing(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountDirectoryUnavailableError);
    expect(error).toMatchObject({ retryable: true, source: 'registry', accountId: A });
    expect((error as Error).message).toMatch(/account registry could not be read \(registry throttled\)/);
    expect(s.asked.organizations).toBe(0);
  });

  it('throws a retryable error naming the organisation when it is down and the registry has no say', async () => {
    const s = sources({ [B]: 'remediate' }, [A], { organizationsDown: true });
    const directory = new CompositeAccountDirectory({ ...s, environment });
    await expect(directory.standing(A)).rejects.toMatchObject({
      name: 'AccountDirectoryUnavailableError',
      source: 'organizations',
    });
    // The registry's own word needs no Organizations answer.
    expect(await directory.standing(B)).toBe('remediate');
  });

  it("allows a registry 'allow' during an Organizations outage when no dry-run OU could change its mode", async () => {
    const s = sources({ [A]: 'allow' }, [], { organizationsDown: true });
    const withoutDryRunUnits = new CompositeAccountDirectory({
      registry: s.registry,
      organizations: { ...s.organizations, hasDryRunUnits: false },
      environment,
    });
    expect(await withoutDryRunUnits.standing(A)).toBe('remediate');
    expect(s.asked.organizations).toBe(0);
    const withDryRunUnits = new CompositeAccountDirectory({ ...s, environment });
    await expect(withDryRunUnits.standing(A)).rejects.toMatchObject({ source: 'organizations' });
  });

  it('explains a decision with its inputs', async () => {
    const s = sources({}, [A]);
    const directory = new CompositeAccountDirectory({ ...s, environment });
    expect(await directory.explain(A)).toEqual({
      decision: { standing: 'remediate', source: 'organizations' },
      inputs: {
        registry: null,
        organizations: { allowed: true, dryRun: false },
        dryRunUnits: true,
        environment: { allowed: false, dryRun: false },
      },
      errors: {},
    });
  });
});
