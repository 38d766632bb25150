import { type Emulator, startEmulator, useEmulator } from '@remediation-hub/local';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

// Several projects (testkit, hub-handler, infra) name this setup; they all run in the one vitest
// main process, so the first starts the emulator and the last teardown stops it.
let shared: Promise<Emulator> | undefined;
let users = 0;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  users++;
  shared ??= startEmulator();
  const emulator = await shared;
  // Workers are forked after global setup and inherit this environment; SDK v3 clients read it too.
  useEmulator(emulator.endpoint);
  project.provide('awsEndpoint', emulator.endpoint);
  return async () => {
    users--;
    if (users === 0) {
      shared = undefined;
      await emulator.stop();
    }
  };
}
