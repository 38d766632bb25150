import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from './repoRoot.js';

const run = promisify(execFile);

export interface PythonTool {
  /** Folder name of the virtualenv under `.cache/`, e.g. `moto`. */
  name: string;
  /** The pip requirement, pinned: `moto[server]==5.2.5`. */
  requirement: string;
  /** The executable the tool installs into the venv's `bin/`. */
  bin: string;
}

const LOCK_STALE_MS = 10 * 60_000;
/** How often a terminal is told that the install goes on. */
const PROGRESS_EVERY_MS = 10_000;

export interface EnsureOptions {
  /** Lines to show while installing (a terminal): what is installed, then how long it has taken. */
  onProgress?: (line: string) => void;
  /** What to say to do when the install fails (the emulator: `AWS_ENDPOINT_URL`). */
  instead?: string;
  /** How to name the tool to people (`the AWS emulator`); default its name. */
  label?: string;
}

/**
 * Installs a pinned Python CLI into its own virtualenv under the repository's git-ignored `.cache/`
 * the first time, and reuses it afterwards. Safe when several processes ask at once (a lock folder).
 * Returns the absolute path of the executable.
 */
export async function ensurePythonTool(tool: PythonTool, options: EnsureOptions = {}): Promise<string> {
  const venv = cacheDir(`${tool.name}-venv`);
  const binPath = join(venv, 'bin', tool.bin);
  const marker = join(venv, '.installed');
  const installed = () =>
    existsSync(binPath) && existsSync(marker) && readFileSync(marker, 'utf8') === tool.requirement;
  if (installed()) return binPath;

  mkdirSync(cacheDir(), { recursive: true });
  const lock = cacheDir(`${tool.name}-venv.lock`);
  await acquireLock(lock);
  try {
    if (installed()) return binPath;
    rmSync(venv, { recursive: true, force: true });
    const python = process.env.PYTHON ?? 'python3';
    await run(python, ['-m', 'venv', venv]).catch((error: unknown) => {
      throw new Error(
        `cannot create a virtualenv with ${python} -m venv (install Python 3 with venv): ${message(error)}`,
      );
    });
    const started = Date.now();
    options.onProgress?.(
      `installing ${tool.requirement} into .cache/${tool.name}-venv with pip (once; about a minute)`,
    );
    const ticker = setInterval(
      () =>
        options.onProgress?.(
          `… still installing ${tool.requirement} (${Math.round((Date.now() - started) / 1000)} s)`,
        ),
      PROGRESS_EVERY_MS,
    );
    try {
      await run(
        join(venv, 'bin', 'pip'),
        ['install', '--quiet', '--disable-pip-version-check', tool.requirement],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      rmSync(venv, { recursive: true, force: true });
      throw new Error(installFailure(tool, error, options));
    } finally {
      clearInterval(ticker);
    }
    writeFileSync(marker, tool.requirement);
    return binPath;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function acquireLock(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch {
      if (lockIsStale(lock) || Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One line: what could not be installed, pip's own reason (its last `ERROR:` line), what that likely means, and
 * what to do instead. pip's "Could not find a version that satisfies the requirement ... (from versions: none)"
 * reads like a bad pin, but it means no package index answered: offline, or a proxy in the way.
 */
export function installFailure(
  tool: PythonTool,
  error: unknown,
  options: Pick<EnsureOptions, 'instead' | 'label'> = {},
): string {
  const { instead } = options;
  const output = (error as { stderr?: string }).stderr ?? '';
  const reasons = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('ERROR:'))
    .map((line) => line.replace(/^ERROR:\s*/, ''));
  const reason = reasons[0] ?? message(error);
  const offline =
    /from versions: none|No matching distribution|Could not fetch|connection|Network is unreachable|Name or service not known|Temporary failure in name resolution/i.test(
      output,
    );
  const why = offline
    ? 'pip could not reach a package index (no network access, or a proxy in the way)'
    : 'pip failed';
  return [
    `${options.label ?? tool.name} (${tool.requirement}) could not be installed: ${why}: ${reason}`,
    `${instead ? `${instead}, or ` : ''}set PIP_INDEX_URL to a package index you can reach, and run again`,
  ].join('; ');
}

function message(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(error)).split('\n').slice(-3).join(' ');
}
