import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { createApp } from '../../lib/createApp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly of the default app, synthesized once for the whole infra project. */
    infraAssemblyDir: string;
  }
}

/**
 * Synthesizes the app once (CDK's template validator compiles a large WebAssembly module on the first
 * synthesis of every process, some ten seconds on two cores): the infra tests read this assembly.
 * Synthesis fails here, with cdk-nag's report, if any finding is unacknowledged.
 */
export function setup(project: TestProject): () => void {
  const outdir = mkdtempSync(join(tmpdir(), 'remediation-hub-infra-'));
  createApp({ outdir }).app.synth();
  project.provide('infraAssemblyDir', outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}
