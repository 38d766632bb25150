#!/usr/bin/env node
// The AWS SDK prints a multi-line Node.js support warning on Node 20 at every start; the CLI's output
// is for people and scripts, so it is silenced here, before any SDK module loads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('../src/main.js');
process.exitCode = await main(process.argv.slice(2));
