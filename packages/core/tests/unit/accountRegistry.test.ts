import { describe, expect, it } from 'vitest';
import { type RegistryEntry, registryChange, syncChanges } from '../../src/accountRegistry.js';

const now = new Date('2026-11-30T10:00:00.000Z');
const request = {
  accountId: '111111111111',
  actor: 'arn:aws:sts::123456789012:assumed-role/Operator/alice',
  command: 'accounts deny',
  now,
  id: 'a1b2',
};
const entry = (standing: RegistryEntry['standing'], version = 1): RegistryEntry => ({
  accountId: '111111111111',
  standing,
  note: 'onboarding',
  updatedAt: '2026-11-01T00:00:00.000Z',
  updatedBy: 'bob',
  version,
});

describe('registryChange', () => {
  it('writes the new entry and an audit event with who, when, before and after', () => {
    expect(registryChange(entry('allow', 3), { ...request, action: 'deny', note: 'compromised' })).toEqual({
      entry: {
        accountId: '111111111111',
        standing: 'deny',
        note: 'compromised',
        updatedAt: '2026-11-30T10:00:00.000Z',
        updatedBy: request.actor,
        version: 4,
      },
      audit: {
        accountId: '111111111111',
        entry: 'audit#2026-11-30T10:00:00.000Z#a1b2',
        at: '2026-11-30T10:00:00.000Z',
        actor: request.actor,
        action: 'deny',
        before: 'allow',
        after: 'deny',
        note: 'compromised',
        command: 'accounts deny',
      },
    });
  });

  it('records a first entry as a change from nothing, and forgetting as a change to nothing', () => {
    expect(registryChange(undefined, { ...request, action: 'dry-run' })?.audit).toMatchObject({
      before: null,
      after: 'dry-run',
    });
    expect(registryChange(undefined, { ...request, action: 'dry-run' })?.entry?.version).toBe(1);
    const forgotten = registryChange(entry('deny'), { ...request, action: 'forget' });
    expect(forgotten?.entry).toBeUndefined();
    expect(forgotten?.audit).toMatchObject({ before: 'deny', after: null, action: 'forget' });
  });

  it('changes nothing for the same standing again, or forgetting an account it does not hold', () => {
    expect(registryChange(entry('deny'), { ...request, action: 'deny' })).toBeUndefined();
    expect(registryChange(undefined, { ...request, action: 'forget' })).toBeUndefined();
    // A new note on the same standing is a change, and keeps the standing.
    expect(registryChange(entry('deny'), { ...request, action: 'deny', note: 'still' })?.entry).toMatchObject(
      {
        standing: 'deny',
        note: 'still',
        version: 2,
      },
    );
  });
});

describe('syncChanges', () => {
  it('adds and updates what the source names, never lifts a deny, and leaves other accounts alone', () => {
    const current = new Map([
      ['111111111111', entry('deny')],
      ['222222222222', { ...entry('allow'), accountId: '222222222222' }],
      ['333333333333', { ...entry('dry-run'), accountId: '333333333333' }],
      ['999999999999', { ...entry('remediate'), accountId: '999999999999' }],
    ]);
    const wanted = new Map([
      ['444444444444', 'allow'],
      ['111111111111', 'allow'],
      ['222222222222', 'allow'],
      ['333333333333', 'allow'],
    ] as const);
    expect(syncChanges(current, wanted)).toEqual([
      { accountId: '333333333333', before: 'dry-run', after: 'allow' },
      { accountId: '444444444444', before: null, after: 'allow' },
    ]);
  });
});
