/**
 * Bundles the hub Lambda into an asset folder: `tsx scripts/bundleHubFunction.ts <entry> <output folder>`.
 * HubFunction's local bundling runs it in a child process (CDK's bundling is synchronous, esbuild's plugins are not).
 */
import { bundleHubFunction } from '../lib/hubBundling.js';

const [entry, outdir] = process.argv.slice(2);
if (entry === undefined || outdir === undefined) {
  throw new Error('usage: bundleHubFunction.ts <entry> <output folder>');
}
await bundleHubFunction(entry, outdir);
