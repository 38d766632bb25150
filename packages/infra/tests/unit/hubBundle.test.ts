import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleReport } from '../../lib/bundleReport.js';
import { STACK_NAMES } from '../../lib/config.js';
import { assetFolderOf, onlyResource, readTemplate } from '../support/assembly.js';
import { bundledInputs, forbiddenInputs, inputBytes, readMetafile } from '../support/lambdaBundle.js';

const ENTRY = 'packages/hub-handler/src/lambda.ts';
const folder = assetFolderOf(onlyResource(readTemplate(STACK_NAMES.hub), 'AWS::Lambda::Function').properties);

describe('the hub Lambda bundle', () => {
  it('comes with an esbuild metafile beside index.mjs and its source map', () => {
    for (const file of ['index.mjs', 'index.mjs.map', 'index.meta.json']) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    const report = bundleReport(readMetafile(folder));
    expect(report.entryPoint).toBe(ENTRY);
    expect(report.bytes).toBeGreaterThan(0);
  });

  it("bundles the handler's own code: the entry, the batch and alert processing, the planner, middy", () => {
    const inputs = bundledInputs(readMetafile(folder), ENTRY);
    expect(inputs).toEqual(
      expect.arrayContaining([
        ENTRY,
        'packages/hub-handler/src/handler/createLambdaHandler.ts',
        'packages/hub-handler/src/handler/processBatch.ts',
        'packages/hub-handler/src/handler/processAlert.ts',
        'packages/core/src/planRemediation.ts',
        'packages/hub-handler/src/adapters/SecurityHubWriteBack.ts',
      ]),
    );
    expect(inputs.some((path) => /(^|\/)node_modules\/@middy\/core\//.test(path))).toBe(true);
  });

  it('takes from the Security Hub client only the BatchUpdateFindings command, not the whole API', () => {
    const inputs = bundledInputs(readMetafile(folder), ENTRY).filter((path) =>
      path.includes('/@aws-sdk/client-securityhub/'),
    );
    const commands = inputs.filter((path) => path.includes('/commands/'));
    expect(commands.map((path) => path.split('/').at(-1))).toEqual(['BatchUpdateFindingsCommand.js']);
    expect(inputs.some((path) => /\/SecurityHub\.js$/.test(path))).toBe(false);
  });

  it('weighs at most 1 MiB', () => {
    expect(bundleReport(readMetafile(folder)).bytes).toBeLessThanOrEqual(2 ** 20);
  });

  it("takes from the SDK's schema modules only what the handler uses (EC2's ~700 operations weigh 540 KB)", () => {
    const bytesOf = (client: string) =>
      inputBytes(readMetafile(folder), ENTRY)
        .filter(([path]) => path.includes(`/@aws-sdk/${client}/`))
        .reduce((sum, [, bytes]) => sum + bytes, 0);
    expect(bytesOf('client-ec2')).toBeLessThan(40_000);
    expect(bytesOf('client-securityhub')).toBeLessThan(40_000);
  });

  it("holds none of zod's other locales or JSON-Schema import", () => {
    const zod = inputBytes(readMetafile(folder), ENTRY)
      .map(([path]) => path)
      .filter((path) => path.includes('/node_modules/zod/'));
    expect(zod.filter((path) => /\/locales\/(?!en\.js$)/.test(path))).toEqual([]);
    expect(zod.filter((path) => /from-json-schema/.test(path))).toEqual([]);
  });

  it("holds none of pino's transport machinery (thread-stream): the hub logs to stdout", () => {
    const inputs = bundledInputs(readMetafile(folder), ENTRY);
    expect(inputs.filter((path) => path.includes('/node_modules/thread-stream/'))).toEqual([]);
    expect(inputs).toContain('pino-without-transports:thread-stream');
  });

  it('holds no CLI, commander, emulator, demo, test or CDK code', () => {
    expect(forbiddenInputs(readMetafile(folder))).toEqual([]);
  });
});
