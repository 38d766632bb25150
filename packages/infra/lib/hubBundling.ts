import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The bundling options the hub function sets, each of them required here so the benchmark maps them all. */
export type HubBundling = Required<
  Pick<
    BundlingOptions,
    | 'format'
    | 'minify'
    | 'keepNames'
    | 'sourceMap'
    | 'sourcesContent'
    | 'metafile'
    | 'target'
    | 'mainFields'
    | 'externalModules'
    | 'banner'
    | 'forceDockerBundling'
  >
>;

/**
 * How esbuild bundles the hub Lambda (HubFunction's `bundling`, the toolchain's PATH aside): ESM, minified with
 * class names kept, a source map without sources, the metafile, the pinned AWS SDK bundled. The bundle benchmark
 * builds with the same options through `esbuildOptionsOf`.
 */
export const HUB_BUNDLING: HubBundling = {
  format: OutputFormat.ESM,
  minify: true,
  // Minification renames classes; keep their names for stack traces and any `constructor.name`.
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  // esbuild's metafile, index.meta.json beside index.mjs: what the bundle is made of (the infra tests check
  // it, bundleReport sums it up). It ships in the zip too, never loaded; compressed, a few per cent of it.
  metafile: true,
  target: 'node24',
  mainFields: ['module', 'main'],
  // Bundle the pinned AWS SDK rather than trust the runtime's copy.
  externalModules: [],
  // CommonJS dependencies bundled into ESM still call require(): give them one.
  banner:
    "import { createRequire as __rhCreateRequire } from 'node:module'; const require = __rhCreateRequire(import.meta.url);",
  forceDockerBundling: false,
};

/**
 * The esbuild build options NodejsFunction passes on its command line for these bundling options (aws-cdk-lib's
 * `Bundling.buildEsbuildArgs`: `--bundle <entry> --target --platform=node --format --outfile=index.mjs --minify
 * --sourcemap --sources-content=false --keep-names --metafile --banner:js --main-fields`), run from the repository
 * root as CDK runs it. Only the options HUB_BUNDLING sets are mapped; the infra tests hold the result to the
 * bundle the stack's synthesis wrote.
 */
export function esbuildOptionsOf(
  bundling: HubBundling,
  paths: { entry: string; outdir: string; workingDir: string },
): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: paths.workingDir,
    entryPoints: [paths.entry],
    bundle: true,
    target: bundling.target,
    platform: 'node',
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    outfile: `${paths.outdir}/index.mjs`,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    external: [...bundling.externalModules],
    keepNames: bundling.keepNames,
    metafile: true,
    banner: { js: bundling.banner },
    mainFields: [...bundling.mainFields],
    logLevel: 'warning',
  };
}
