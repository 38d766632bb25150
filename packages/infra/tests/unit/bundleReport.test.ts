import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleReport, packageOf } from '../../lib/bundleReport.js';
import { forbiddenInputs } from '../support/lambdaBundle.js';

const ENTRY = 'packages/hub-handler/src/lambda.ts';
const EC2 =
  'node_modules/.pnpm/@aws-sdk+client-ec2@3.1169.0/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js';
const EC2_CLIENT =
  'node_modules/.pnpm/@aws-sdk+client-ec2@3.1169.0/node_modules/@aws-sdk/client-ec2/dist-es/EC2Client.js';
const PINO = 'node_modules/.pnpm/pino@10.4.0/node_modules/pino/pino.js';
const COMMANDER = 'node_modules/.pnpm/commander@14.0.3/node_modules/commander/lib/command.js';

/** A metafile of the shape esbuild writes for the hub (paths as in the real one), with these inputs' bytes. */
function metafile(bundled: Record<string, number>): Metafile {
  const inputs = Object.fromEntries(Object.keys(bundled).map((path) => [path, { bytes: 1, imports: [] }]));
  const bytes = Object.values(bundled).reduce((sum, n) => sum + n, 0);
  return {
    inputs,
    outputs: {
      'cdk.out/bundling-temp-0-building/index.mjs.map': { bytes: 9, inputs: {}, imports: [], exports: [] },
      'cdk.out/bundling-temp-0-building/index.mjs': {
        bytes,
        entryPoint: ENTRY,
        inputs: Object.fromEntries(Object.entries(bundled).map(([path, n]) => [path, { bytesInOutput: n }])),
        imports: [],
        exports: ['handler'],
      },
    },
  };
}

describe('bundleReport', () => {
  it("gives the entry point's output size and its largest inputs and packages", () => {
    const report = bundleReport(
      metafile({ [ENTRY]: 100, [EC2]: 5_000, [EC2_CLIENT]: 2_000, [PINO]: 3_000 }),
      2,
    );
    expect(report).toEqual({
      entryPoint: ENTRY,
      bytes: 10_100,
      topInputs: [
        { name: EC2, bytes: 5_000 },
        { name: PINO, bytes: 3_000 },
      ],
      topPackages: [
        { name: '@aws-sdk/client-ec2', bytes: 7_000 },
        { name: 'pino', bytes: 3_000 },
      ],
    });
  });

  it('leaves out inputs tree shaking emptied', () => {
    expect(bundleReport(metafile({ [ENTRY]: 100, [PINO]: 0 })).topInputs).toEqual([
      { name: ENTRY, bytes: 100 },
    ]);
  });

  it('refuses a metafile without exactly one entry point', () => {
    expect(() => bundleReport({ inputs: {}, outputs: {} })).toThrow('found 0');
  });
});

describe('packageOf', () => {
  it("names an input's package: pnpm's store, scoped or not, or the workspace package's folder", () => {
    expect(packageOf(EC2)).toBe('@aws-sdk/client-ec2');
    expect(packageOf(COMMANDER)).toBe('commander');
    expect(packageOf('node_modules/@middy/core/index.js')).toBe('@middy/core');
    expect(packageOf('packages/core/src/planRemediation.ts')).toBe('packages/core');
  });
});

describe('forbiddenInputs (the check of the hub bundle)', () => {
  it('finds commander, CLI, local, testkit, demo and emulator code among the inputs', () => {
    const bad = [
      COMMANDER,
      'packages/cli/src/commands/consume.ts',
      'packages/local/src/localUp.ts',
      'packages/local/src/recordingProxy.ts',
      'packages/testkit/src/fixtures.ts',
      'packages/hub-handler/src/demoScenario.ts',
      'packages/hub-handler/src/startEmulator.ts',
    ];
    expect(forbiddenInputs(metafile(Object.fromEntries([[ENTRY, 10], ...bad.map((p) => [p, 0])])))).toEqual(
      bad,
    );
  });

  it("passes the handler's own inputs", () => {
    expect(
      forbiddenInputs(
        metafile({
          [ENTRY]: 10,
          'packages/hub-handler/src/handler/processAlert.ts': 10,
          'packages/core/src/planRemediation.ts': 10,
          [EC2]: 10,
          [PINO]: 10,
        }),
      ),
    ).toEqual([]);
  });
});
