import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cacheDir, stopStaleEmulators } from '../../src/index.js';

const child = fileURLToPath(new URL('../fixtures/startEmulatorChild.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('emulator lifecycle', () => {
  it('leaves no moto process behind when the process that started it is killed half-way', async () => {
    const { AWS_ENDPOINT_URL: _external, ...env } = process.env;
    const runner = spawn(process.execPath, ['--import', 'tsx', child], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      runner.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] as string);
      });
      runner.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const { endpoint, pid } = JSON.parse(line) as { endpoint: string; pid: number };
    expect((await fetch(new URL('/moto-api/', endpoint))).status).toBeLessThan(500);
    expect(alive(pid)).toBe(true);

    runner.kill('SIGKILL');
    expect(await until(() => !alive(pid), 10_000)).toBe(true);
    // Its pid file is left behind by the killed owner; the next start clears it.
    stopStaleEmulators();
    expect(existsSync(join(cacheDir('emulator-run'), `${pid}.json`))).toBe(false);
  });

  it('stops a stale moto server whose owner is gone at the next start', async () => {
    // A stand-in server whose command line names moto_server, and an owner pid that has exited.
    const stale = spawn('bash', ['-c', 'exec -a moto_server sleep 120'], { stdio: 'ignore' });
    const deadOwner = spawnSync('true').pid;
    const pid = stale.pid as number;
    // Right after spawn the child may not have exec'd yet (its command line is still this node's).
    expect(await until(() => cmdline(pid).includes('moto_server'), 5_000)).toBe(true);
    mkdirSync(cacheDir('emulator-run'), { recursive: true });
    writeFileSync(
      join(cacheDir('emulator-run'), `${pid}.json`),
      JSON.stringify({ pid, ownerPid: deadOwner, port: 1 }),
    );

    const stopped = stopStaleEmulators();
    expect(stopped).toContain(pid);
    expect(await until(() => stale.exitCode !== null || stale.signalCode !== null, 5_000)).toBe(true);
  });

  it('leaves alone a server whose owner is still running', () => {
    const pid = process.pid;
    const file = join(cacheDir('emulator-run'), 'owner-alive.json');
    mkdirSync(cacheDir('emulator-run'), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid, ownerPid: process.pid, port: 1 }));
    expect(stopStaleEmulators()).not.toContain(pid);
    expect(existsSync(file)).toBe(true);
  });
});
