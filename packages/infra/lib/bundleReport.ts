import type { Metafile } from 'esbuild';

/** A part of a bundle: one input file, or every input of one package. */
export interface BundlePart {
  /** The input's path as esbuild names it (relative to the repository root), or the package's name. */
  name: string;
  /** Bytes of the bundle that come from it. */
  bytes: number;
}

export interface BundleReport {
  /** The entry point the bundle was built from (`packages/hub-handler/src/lambda.ts`). */
  entryPoint: string;
  /** The bundle's size in bytes (`index.mjs`, source map and metafile aside). */
  bytes: number;
  /** The inputs with code in the bundle, largest first, at most `top`. */
  topInputs: BundlePart[];
  /** The same by package (`@aws-sdk/client-ec2`, `pino`, a workspace package's folder), largest first. */
  topPackages: BundlePart[];
}

/**
 * What an esbuild bundle is made of, from its metafile (HubFunction's bundling writes it as
 * `index.meta.json` beside `index.mjs` in the asset folder): the JavaScript output of the one entry point, its
 * size, and the inputs and packages that take the most of it.
 */
export function bundleReport(metafile: Metafile, top = 10): BundleReport {
  const entries = Object.values(metafile.outputs).flatMap(({ entryPoint, ...output }) =>
    entryPoint === undefined ? [] : [{ entryPoint, ...output }],
  );
  const output = entries[0];
  if (output === undefined || entries.length !== 1) {
    throw new Error(`expected a bundle of one entry point, found ${entries.length}`);
  }
  const inputs = Object.entries(output.inputs)
    .map(([name, input]) => ({ name, bytes: input.bytesInOutput }))
    .filter((input) => input.bytes > 0);
  const packages = new Map<string, number>();
  for (const input of inputs) {
    const name = packageOf(input.name);
    packages.set(name, (packages.get(name) ?? 0) + input.bytes);
  }
  return {
    entryPoint: output.entryPoint,
    bytes: output.bytes,
    topInputs: largestFirst(inputs).slice(0, top),
    topPackages: largestFirst([...packages].map(([name, bytes]) => ({ name, bytes }))).slice(0, top),
  };
}

/**
 * The package an input belongs to: the one under its last `node_modules/` (pnpm's store puts each package at
 * `node_modules/.pnpm/<name>@<version>/node_modules/<name>/`), else the workspace package's folder.
 */
export function packageOf(path: string): string {
  const installed = path.split('node_modules/').at(-1) ?? path;
  if (installed !== path) {
    const [scope, name] = installed.split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? path);
  }
  return /^packages\/[^/]+/.exec(path)?.[0] ?? path;
}

function largestFirst(parts: BundlePart[]): BundlePart[] {
  return [...parts].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}
