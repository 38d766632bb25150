import type { Plugin } from 'esbuild';

/**
 * pino's transports (`pino.transport()`, the `transport` option) run in a worker thread through `thread-stream`,
 * which pino loads at start, worker_threads and assert with it. The hub logs to stdout through a synchronous
 * destination and never starts a transport: in its bundle `thread-stream` is a stand-in that refuses to be
 * constructed, so a transport asked for by mistake fails at once, naming why.
 */
export const pinoWithoutTransports: Plugin = {
  name: 'pino-without-transports',
  setup(build) {
    build.onResolve({ filter: /^thread-stream$/ }, ({ importer }) =>
      /[\\/]pino[\\/]lib[\\/]transport\.js$/.test(importer)
        ? { path: 'thread-stream', namespace: 'pino-without-transports' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'pino-without-transports' }, () => ({
      contents: [
        'module.exports = class ThreadStream {',
        '  constructor() {',
        "    throw new Error('pino transports are left out of the hub Lambda bundle: log to a stream instead');",
        '  }',
        '};',
      ].join('\n'),
      loader: 'js',
    }));
  },
};
