import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensurePythonTool, isAlive } from './pythonTool.js';
import { cacheDir } from './repoRoot.js';

export const MOTO_REQUIREMENT = 'moto[server]==5.2.5';

export interface Emulator {
  endpoint: string;
  /** False when the endpoint came from `AWS_ENDPOINT_URL` (a user's own moto or LocalStack). */
  owned: boolean;
  pid: number | undefined;
  stop(): Promise<void>;
}

interface PidFile {
  /** The moto server process. */
  pid: number;
  /** The process that started it; when it is gone, the server is stale. */
  ownerPid: number;
  port: number;
}

const RUN_DIR = () => cacheDir('emulator-run');

/**
 * Starts the moto server on a free loopback port and waits until it answers; or, when
 * `AWS_ENDPOINT_URL` is set, uses that endpoint and starts nothing.
 *
 * No orphans: the server is told by the kernel to stop when its parent dies (PR_SET_PDEATHSIG), and
 * every start first stops servers whose owner process is gone (a run killed half-way).
 */
export async function startEmulator(
  options: { log?: (line: string) => void; onProgress?: (line: string) => void } = {},
): Promise<Emulator> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    await waitUntilReady(external, 10_000);
    return { endpoint: external, owned: false, pid: undefined, stop: async () => {} };
  }
  stopStaleEmulators();
  const motoServer = await ensurePythonTool(
    { name: 'moto', requirement: MOTO_REQUIREMENT, bin: 'moto_server' },
    {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      label: 'the AWS emulator',
      instead:
        'point the hub at an emulator of your own instead with AWS_ENDPOINT_URL (a moto server or LocalStack, e.g. http://127.0.0.1:5000)',
    },
  );
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawnWithParentDeathSignal(motoServer, ['-H', '127.0.0.1', '-p', String(port)]);
    const endpoint = `http://127.0.0.1:${port}`;
    const pid = child.pid;
    if (pid === undefined) throw new Error('the moto server did not start');
    const pidFile = join(RUN_DIR(), `${pid}.json`);
    mkdirSync(RUN_DIR(), { recursive: true });
    writeFileSync(pidFile, JSON.stringify({ pid, ownerPid: process.pid, port } satisfies PidFile));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      await waitUntilReady(endpoint, 60_000, child);
      options.log?.(`moto server ${MOTO_REQUIREMENT} on ${endpoint} (pid ${pid})`);
      return { endpoint, owned: true, pid, stop: () => stopChild(child, pidFile) };
    } catch (error) {
      lastError = new Error(
        `${(error as Error).message}; moto said: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
      await stopChild(child, pidFile);
    }
  }
  throw lastError;
}

/** Stops moto servers started by processes that no longer exist. Returns the pids it stopped. */
export function stopStaleEmulators(): number[] {
  const stopped: number[] = [];
  let files: string[];
  try {
    files = readdirSync(RUN_DIR()).filter((f) => f.endsWith('.json'));
  } catch {
    return stopped;
  }
  for (const file of files) {
    const path = join(RUN_DIR(), file);
    let entry: PidFile;
    try {
      entry = JSON.parse(readFileSync(path, 'utf8')) as PidFile;
    } catch {
      rmSync(path, { force: true });
      continue;
    }
    if (isAlive(entry.ownerPid)) continue;
    if (isAlive(entry.pid) && isMotoServer(entry.pid)) {
      try {
        process.kill(entry.pid, 'SIGKILL');
        stopped.push(entry.pid);
      } catch {
        // Gone in between: nothing to stop.
      }
    }
    rmSync(path, { force: true });
  }
  return stopped;
}

function isMotoServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('moto_server');
  } catch {
    return false;
  }
}

/**
 * Spawns the command through a tiny Python shim that asks the kernel to SIGTERM it when this Node
 * process dies, then execs the command (the setting survives exec).
 */
function spawnWithParentDeathSignal(command: string, args: string[]): ChildProcess {
  const shim = [
    'import ctypes, os, signal, sys',
    'ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)',
    'sys.exit(0) if os.getppid() != int(sys.argv[1]) else None',
    'os.execv(sys.argv[2], sys.argv[2:])',
  ].join('\n');
  const python = join(command, '..', 'python');
  return spawn(python, ['-c', shim, String(process.pid), command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: withoutMotoAccount(process.env),
  });
}

function withoutMotoAccount(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // MOTO_ACCOUNT_ID would override the account of assumed-role credentials.
  const { MOTO_ACCOUNT_ID: _ignored, ...rest } = env;
  return rest;
}

async function stopChild(child: ChildProcess, pidFile: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(pidFile, { force: true });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

async function waitUntilReady(endpoint: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the moto server exited early (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(new URL('/moto-api/', endpoint), { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the AWS emulator at ${endpoint} did not answer within ${timeoutMs} ms: ${String(lastError)}`,
  );
}
