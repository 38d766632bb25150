import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGroup,
  ingressRules,
  type LocalUpResult,
  makeAlert,
  snsEnvelope,
  uniqueName,
  upTestHub,
  WORLD_SSH,
} from '@remediation-hub/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/main.js';

// Account 333333333323 belongs to this file (moved here from the hub-handler's reprocess tests, which keep 320-322).
const A = '333333333323';

/** `replay` of the same file after the hub's configuration changed: dry-run first, then remediate. */
describe('remediation-hub replay FILE, processed again after the configuration changed', () => {
  let up: LocalUpResult;
  const alert = (accountId: string, region: string, groupId: string) =>
    makeAlert({ id: uniqueName('alert'), accountId, region, groupId });
  beforeAll(async () => {
    up = await upTestHub('replay', [A]);
  });

  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'remediation-hub-reprocess-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const replay = async (file: string, env: Record<string, string>): Promise<string> => {
    for (const [name, value] of Object.entries({ ...up.env, LOG_LEVEL: 'error', ...env })) {
      vi.stubEnv(name, value);
    }
    let out = '';
    let err = '';
    const code = await main(['replay', file], {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
      isTty: false,
    });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    return out;
  };

  it('plans in dry-run, then remediates the same file once the account is switched to remediate', async () => {
    const groupId = await createGroup(A, 'eu-west-1', [WORLD_SSH]);
    const doc = alert(A, 'eu-west-1', groupId);
    const file = join(dir, 'alert.json');
    await writeFile(file, JSON.stringify(snsEnvelope(doc), null, 2));
    const where = `(account ${A}, eu-west-1, ${groupId})`;

    expect(await replay(file, { DRY_RUN_ACCOUNTS: A })).toBe(
      `${doc.data.id}/fail: dry-run [evident AWS:EC2-002] ${where}\n`,
    );
    expect(await replay(file, { DRY_RUN_ACCOUNTS: A })).toBe(
      `${doc.data.id}/fail: duplicate [evident AWS:EC2-002] ${where}\n`,
    );
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual(['tcp 22-22 0.0.0.0/0']);

    expect(await replay(file, { DRY_RUN_ACCOUNTS: '' })).toBe(
      `${doc.data.id}/fail: remediated [evident AWS:EC2-002] ${where}\n`,
    );
    expect(await ingressRules(A, 'eu-west-1', groupId)).toEqual([]);
    expect(await replay(file, { DRY_RUN_ACCOUNTS: '' })).toBe(
      `${doc.data.id}/fail: duplicate [evident AWS:EC2-002] ${where}\n`,
    );
  });
});
