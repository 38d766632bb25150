import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HUB_BUNDLING } from '../../lib/hubBundling.js';
import { REPO_ROOT } from '../../lib/paths.js';

describe('pinoWithoutTransports', () => {
  it("bundles the hub's logger without thread-stream, and a transport asked for fails naming why", async () => {
    const hubHandler = join(REPO_ROOT, 'packages', 'hub-handler');
    const logger = join(hubHandler, 'src', 'logging', 'createLogger.ts');
    const folder = mkdtempSync(join(tmpdir(), 'pino-without-transports-'));
    const { metafile } = await build({
      ...HUB_BUNDLING,
      stdin: {
        contents: [
          `import { createLogger } from ${JSON.stringify(logger)};`,
          "import { pino } from 'pino';",
          'export const logger = createLogger({ level: "silent" });',
          'export const transport = () => pino.transport({ target: "pino/file" });',
        ].join('\n'),
        // Where pino resolves, as it does for the handler.
        resolveDir: hubHandler,
        loader: 'ts',
      },
      sourcemap: false,
      outfile: join(folder, 'index.mjs'),
    });
    expect(Object.keys(metafile.inputs).filter((path) => path.includes('thread-stream'))).toEqual([
      'pino-without-transports:thread-stream',
    ]);
    try {
      const module = await import(pathToFileURL(join(folder, 'index.mjs')).href);
      expect(typeof module.logger.info).toBe('function');
      expect(module.transport).toThrow('pino transports are left out of the hub Lambda bundle');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
