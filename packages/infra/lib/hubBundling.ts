import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { REPO_ROOT } from './paths.js';
import { pinoWithoutTransports } from './pinoWithoutTransports.js';
import { inlineSdkSchemaKeys } from './sdkSchemaKeys.js';

/**
 * How esbuild bundles the hub Lambda (and the bundle benchmark's bundles): ESM for Node 24, minified with class
 * names kept, a source map without sources, the metafile, the pinned AWS SDK bundled rather than the runtime's
 * copy, and the SDK's schema modules read so that esbuild can drop the schemas the handler never uses.
 */
export const HUB_BUNDLING = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  // Minification renames classes; keep their names for stack traces and any `constructor.name`.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  // Bundle the pinned AWS SDK rather than trust the runtime's copy.
  external: [],
  // CommonJS dependencies bundled into ESM still call require(): give them one.
  banner: {
    js: "import { createRequire as __rhCreateRequire } from 'node:module'; const require = __rhCreateRequire(import.meta.url);",
  },
  plugins: [inlineSdkSchemaKeys, pinoWithoutTransports],
  logLevel: 'warning',
  // Input paths relative to the repository root, in the metafile and the source map.
  absWorkingDir: REPO_ROOT,
} as const satisfies BuildOptions;

export interface HubBundle {
  /** The bundle, `index.mjs` in the output folder (beside `index.mjs.map` and `index.meta.json`). */
  file: string;
  metafile: Metafile;
}

/**
 * Bundles `entry` into `outdir` as the stack's asset holds it: `index.mjs`, its source map, and esbuild's metafile
 * as `index.meta.json` (what the bundle is made of: the infra tests check it, bundleReport sums it up; it ships in
 * the zip too, never loaded).
 */
export async function bundleHubFunction(entry: string, outdir: string): Promise<HubBundle> {
  const file = join(outdir, 'index.mjs');
  const { metafile } = await build({ ...HUB_BUNDLING, entryPoints: [entry], outfile: file });
  await writeFile(join(outdir, 'index.meta.json'), JSON.stringify(metafile));
  return { file, metafile };
}
