import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The workspace root: the nearest folder above this file that holds `pnpm-workspace.yaml`. */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the workspace root (pnpm-workspace.yaml)');
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** The git-ignored cache folder of the repository (virtualenvs, emulator pid files). */
export function cacheDir(...parts: string[]): string {
  return join(repoRoot(), '.cache', ...parts);
}
