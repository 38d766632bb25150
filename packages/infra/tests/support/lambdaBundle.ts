import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

/** The esbuild metafile `bundling.metafile` writes into a function's asset folder. */
export function readMetafile(assetFolder: string): Metafile {
  return JSON.parse(readFileSync(join(assetFolder, 'index.meta.json'), 'utf8')) as Metafile;
}

/**
 * Inputs that have no place in the hub Lambda's bundle: the operator CLI and its argument parser, the emulator
 * and local tooling, test code, the CDK app, and anything demo or emulator by name. Input paths are relative
 * to the repository root (`packages/...`, `node_modules/.pnpm/<name>@<version>/node_modules/<name>/...`).
 */
export const NOT_IN_THE_LAMBDA: readonly RegExp[] = [
  /(^|\/)node_modules\/(commander|aws-cdk-lib|constructs|cdk-nag|vitest|fast-check)\//,
  /(^|\/)packages\/(cli|local|testkit|infra)\//,
  /demo|emulator|localUp|recordingProxy/i,
];

/**
 * The inputs of a bundle that match `NOT_IN_THE_LAMBDA`. Every file esbuild read counts (the metafile's
 * `inputs`: the whole import graph), also one tree shaking then dropped: an import of CLI or emulator code from
 * the Lambda's sources is the mistake, whatever esbuild made of it.
 */
export function forbiddenInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((path) =>
    NOT_IN_THE_LAMBDA.some((pattern) => pattern.test(path)),
  );
}

/** The inputs with code in the bundle of `entryPoint` (bytes in its output). */
export function bundledInputs(metafile: Metafile, entryPoint: string): string[] {
  return inputBytes(metafile, entryPoint).map(([path]) => path);
}

/** The inputs with code in the bundle of `entryPoint`, with their bytes in it. */
export function inputBytes(metafile: Metafile, entryPoint: string): [path: string, bytes: number][] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === entryPoint);
  if (output === undefined) throw new Error(`no bundle of ${entryPoint} in the metafile`);
  return Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path, input]) => [path, input.bytesInOutput]);
}
