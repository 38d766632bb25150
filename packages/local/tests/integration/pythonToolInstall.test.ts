import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheDir, ensurePythonTool } from '../../src/index.js';

/** A pip install that cannot reach any package index: what the first demo without network access meets. */
describe('ensurePythonTool without a reachable package index', () => {
  const name = `offline-${process.pid}`;
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(cacheDir(`${name}-venv`), { recursive: true, force: true });
  });

  it('says in one line that the emulator could not be installed, why, and what to do instead', async () => {
    // Nothing listens on port 9: pip finds no index, as offline.
    vi.stubEnv('PIP_INDEX_URL', 'http://127.0.0.1:9/simple');
    vi.stubEnv('PIP_RETRIES', '0');
    vi.stubEnv('PIP_TIMEOUT', '2');
    const progress: string[] = [];
    const error = await ensurePythonTool(
      { name, requirement: 'moto[server]==5.2.5', bin: 'moto_server' },
      {
        label: 'the AWS emulator',
        instead: 'point the hub at an emulator of your own instead with AWS_ENDPOINT_URL',
        onProgress: (line) => progress.push(line),
      },
    ).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^the AWS emulator \(moto\[server\]==5\.2\.5\) could not be installed: pip could not reach a package index \(no network access, or a proxy in the way\): .*moto\[server\]==5\.2\.5.*; point the hub at an emulator of your own instead with AWS_ENDPOINT_URL, or set PIP_INDEX_URL to a package index you can reach, and run again$/,
    );
    expect(progress[0]).toBe(
      `installing moto[server]==5.2.5 into .cache/${name}-venv with pip (once; about a minute)`,
    );
  }, 120_000);
});
