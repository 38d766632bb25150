import {
  createMemberAccounts,
  createOrganizationalUnit,
  ensureOrganization,
  type LocalUpResult,
  uniqueName,
  upTestHub,
} from '@remediation-hub/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';

// Accounts 555555558801-809 belong to this file.
const A = '555555558801';
const B = '555555558802';
const C = '555555558803';

describe('remediation-hub accounts', () => {
  let up: LocalUpResult;
  beforeAll(async () => {
    up = await upTestHub('accounts-cli', [A], { accountRegistry: true });
  });

  const cli = async (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false };
    const code = await main(argv, io, { env: { ...process.env, ...up.env, ...env } });
    return { code, out: out.join(''), err: err.join('') };
  };

  it('denies, allows and sets the mode of accounts, each change audited with who, when, before and after', async () => {
    expect((await cli(['accounts', 'dry-run', `${A},${B}`, '--note', 'onboarding'])).out).toMatch(
      new RegExp(
        `^${A}  \\(none\\) -> dry-run\\n${B}  \\(none\\) -> dry-run\\n2 changed, 0 unchanged; by arn:aws:`,
        'm',
      ),
    );
    expect((await cli(['accounts', 'deny', B])).code).toBe(0);
    const again = await cli(['accounts', 'deny', B]);
    expect(again.out).toMatch(new RegExp(`^${B}  deny, unchanged$`, 'm'));

    const list = await cli(['accounts', 'list']);
    expect(list.out).toMatch(
      new RegExp(`^${A}\\s+dry-run\\s+\\S+ \\S+\\s+arn:aws:\\S+( \\(\\S+\\))?\\s+onboarding$`, 'm'),
    );
    expect(list.out).toMatch(new RegExp(`^${B}\\s+deny\\s`, 'm'));

    const history = JSON.parse((await cli(['accounts', 'list', '--account', B, '--json'])).out);
    expect(history.entry).toMatchObject({ accountId: B, standing: 'deny', version: 2 });
    expect(history.history).toEqual([
      expect.objectContaining({
        before: 'dry-run',
        after: 'deny',
        command: 'accounts deny',
        actor: expect.stringMatching(/^arn:aws:/),
      }),
      expect.objectContaining({
        before: null,
        after: 'dry-run',
        command: 'accounts dry-run',
        note: 'onboarding',
      }),
    ]);
    expect(Date.parse(history.history[0].at)).toBeGreaterThan(Date.now() - 60_000);

    expect((await cli(['accounts', 'forget', B])).out).toMatch(new RegExp(`^${B}  deny -> \\(none\\)$`, 'm'));
    expect((await cli(['accounts', 'list', '--account', B])).out).toMatch(
      new RegExp(`^${B}: no registry entry \\(the OUs and the lists decide\\)$`, 'm'),
    );
  });

  it('moves a deployment off its environment lists, keeping dry-run and never lifting a deny', async () => {
    await cli(['accounts', 'deny', C]);
    const env = { ALLOWED_ACCOUNTS: `${A},${B},${C}`, DRY_RUN_ACCOUNTS: B };
    const preview = await cli(['accounts', 'sync', '--from-env', '--dry-run'], env);
    expect(preview.out).toContain(`${B}  (none) -> dry-run  (not written: --dry-run)`);
    expect(preview.out).toContain(`${C}  deny kept (a sync never lifts a deny)`);
    const synced = await cli(['accounts', 'sync', '--from-env'], env);
    expect(synced.out).toMatch(
      /accounts sync --from-env: 3 accounts in the source, 2 changed, 0 already as wanted; by /,
    );
    const entries = JSON.parse((await cli(['accounts', 'list', '--json'])).out).entries as Array<{
      accountId: string;
      standing: string;
    }>;
    expect(Object.fromEntries(entries.map((e) => [e.accountId, e.standing]))).toEqual({
      [A]: 'allow',
      [B]: 'dry-run',
      [C]: 'deny',
    });
  });

  it('syncs every account under an OU from Organizations, as asked', async () => {
    const organization = await ensureOrganization();
    try {
      const ou = await createOrganizationalUnit(
        organization,
        { id: organization.rootId, path: organization.rootPath },
        uniqueName('sync'),
      );
      const ids = await createMemberAccounts(organization, 3, { parentId: ou.id });
      const synced = await cli(['accounts', 'sync', '--ou', ou.path, '--standing', 'dry-run', '--json']);
      expect(synced.code).toBe(0);
      expect(JSON.parse(synced.out).changes).toEqual(
        [...ids].sort().map((accountId) => ({ accountId, before: null, after: 'dry-run' })),
      );
    } finally {
      organization.client.destroy();
    }
  });

  it('refuses a malformed account id and a sync without exactly one source, one line, exit 2', async () => {
    const bad = await cli(['accounts', 'deny', '1234']);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(
      /^remediation-hub: .*expected comma-separated 12-digit AWS account ids, got 1234\n$/,
    );
    const none = await cli(['accounts', 'sync']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/needs exactly one source: --from-env or --ou OUS/);
  });
});
