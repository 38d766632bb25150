/**
 * The hub Lambda's bundle: its size, what is in it, and its cold initialisation beside a bundle of the same AWS SDK
 * clients alone. Both are built as the stack builds its asset (bundleHubFunction: esbuild with HUB_BUNDLING), each
 * into a temporary folder with its metafile, which is read back from `index.meta.json` as the stack's is.
 *
 *   node --import tsx packages/infra/bench/bundle.bench.ts [--runs N] [--json]
 *
 * - bundle bytes: `index.mjs` (source map and metafile aside), from the metafile's output;
 * - SDK-only bytes: the same for packages/hub-handler/bench/sdkOnlyLambda.ts, which constructs the clients the hub
 *   constructs at start (STS, DynamoDB and its document client, SNS, Security Hub, Organizations) and imports the
 *   commands it sends, with no hub logic;
 * - top inputs: the files with the most bytes in the hub bundle;
 * - cold init: a fresh `node --enable-source-maps` (the stack's NODE_OPTIONS) imports the bundle, which builds its
 *   handler at import as Lambda's init does; the time from just before the import until the handler is there
 *   (Node's own start, the same for both, left out). The two bundles alternate, `runs` each; the medians and their
 *   ratio are reported, and beside them (not in --json) the CPU time of the same span, which a busy machine
 *   disturbs less than the wall clock. The hub runs with every optional client on (outcome topic, Security Hub
 *   write-back, OUs, registry, dead-letter queue) so it constructs what the SDK-only bundle constructs.
 *
 * `--json` prints exactly one JSON object:
 * {bundleBytes, sdkOnlyBytes, topInputs: [{path, bytes}], coldInitMs, sdkOnlyColdInitMs, coldInitRatio, runs}.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { bundleReport } from '../lib/bundleReport.js';
import { bundleHubFunction } from '../lib/hubBundling.js';
import { HANDLER_ENTRY, REPO_ROOT } from '../lib/paths.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '11' },
    json: { type: 'boolean', default: false },
    top: { type: 'string', default: '10' },
  },
});
const RUNS = Number(values.runs);
const TOP = Number(values.top);
const SDK_ONLY_ENTRY = join(REPO_ROOT, 'packages', 'hub-handler', 'bench', 'sdkOnlyLambda.ts');

/** The hub's environment at start: dummy values in the formats loadConfig accepts, every optional client on. */
const HUB_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  LEDGER_TABLE: 'remediation-hub-ledger',
  MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
  MEMBER_ROLE_PATH: '/remediation-hub/',
  MEMBER_EXTERNAL_ID: 'bench-external-id',
  ALLOWED_ACCOUNTS: '111111111111',
  ALLOWED_OUS: 'ou-ab12-11111111',
  ORGANIZATION_ID: 'o-a1b2c3d4e5',
  ACCOUNT_REGISTRY_TABLE: 'remediation-hub-accounts',
  SECURITY_HUB_WRITE_BACK: 'on',
  OUTCOME_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:remediation-hub-outcomes',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/remediation-hub-dlq',
  LOG_LEVEL: 'info',
  // The SDK's notice that later releases need Node 22 (Lambda runs Node 24): not part of the start-up.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface Built {
  bytes: number;
  file: string;
  metafile: Metafile;
}

async function bundle(entry: string, outdir: string): Promise<Built> {
  const { file } = await bundleHubFunction(entry, outdir);
  // Read back as the infra tests read the stack's asset folder (index.meta.json beside index.mjs).
  const metafile = JSON.parse(readFileSync(join(outdir, 'index.meta.json'), 'utf8')) as Metafile;
  return { bytes: bundleReport(metafile).bytes, file, metafile };
}

interface Init {
  /** Wall-clock milliseconds from just before the bundle's import until its handler is there. */
  ms: number;
  /** CPU milliseconds (user and system, all threads) over the same span: less hostage to a busy machine. */
  cpuMs: number;
}

/** One fresh Node process importing the bundle. */
function coldInit(file: string): Init {
  const script = [
    'const { performance } = await import("node:perf_hooks");',
    'const cpu = process.cpuUsage();',
    'const start = performance.now();',
    `const module = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const ms = performance.now() - start;',
    'const { user, system } = process.cpuUsage(cpu);',
    'if (typeof module.handler !== "function") throw new Error("no handler");',
    'process.stdout.write("\\n" + JSON.stringify({ ms, cpuMs: (user + system) / 1000 }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    // Only what the handler reads: the runner's own variables (NODE_OPTIONS with tsx) stay out.
    env: { PATH: process.env.PATH ?? '', ...HUB_ENV },
    // stderr is shown only if the process fails.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  // The last line: the hub's own start-up log lines, if any, come before it.
  const init = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Init;
  if (!Number.isFinite(init.ms) || !Number.isFinite(init.cpuMs))
    throw new Error(`no timing from ${file}: ${out}`);
  return init;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number, digits: number) => Number(x.toFixed(digits));

const work = mkdtempSync(join(tmpdir(), 'hub-bundle-bench-'));
try {
  const hub = await bundle(HANDLER_ENTRY, join(work, 'hub'));
  const sdkOnly = await bundle(SDK_ONLY_ENTRY, join(work, 'sdk-only'));
  const report = bundleReport(hub.metafile, TOP);

  // One untimed start of each first (the disk cache), then alternating so drift hits both alike.
  coldInit(hub.file);
  coldInit(sdkOnly.file);
  const hubInits: Init[] = [];
  const sdkInits: Init[] = [];
  for (let i = 0; i < RUNS; i++) {
    hubInits.push(coldInit(hub.file));
    sdkInits.push(coldInit(sdkOnly.file));
  }
  const hubMs = hubInits.map((init) => init.ms);
  const sdkMs = sdkInits.map((init) => init.ms);
  const coldInitMs = median(hubMs);
  const sdkOnlyColdInitMs = median(sdkMs);
  const cpuMs = median(hubInits.map((init) => init.cpuMs));
  const sdkOnlyCpuMs = median(sdkInits.map((init) => init.cpuMs));
  const result = {
    bundleBytes: hub.bytes,
    sdkOnlyBytes: sdkOnly.bytes,
    topInputs: report.topInputs.map(({ name, bytes }) => ({ path: name, bytes })),
    coldInitMs: round(coldInitMs, 1),
    sdkOnlyColdInitMs: round(sdkOnlyColdInitMs, 1),
    coldInitRatio: round(coldInitMs / sdkOnlyColdInitMs, 3),
    runs: RUNS,
  };

  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    const lines = [
      `hub Lambda bundle   ${result.bundleBytes} B (${(result.bundleBytes / 2 ** 20).toFixed(3)} MiB)`,
      `SDK-only bundle     ${result.sdkOnlyBytes} B (${(result.sdkOnlyBytes / 2 ** 20).toFixed(3)} MiB)`,
      `top inputs of the hub bundle:`,
      ...result.topInputs.map(({ path, bytes }) => `  ${kib(bytes).padStart(10)}  ${path}`),
      `top packages:`,
      ...report.topPackages.map(({ name, bytes }) => `  ${kib(bytes).padStart(10)}  ${name}`),
      `cold init (median of ${RUNS} fresh processes, --enable-source-maps):`,
      `  hub       ${result.coldInitMs} ms   [${hubMs.map((ms) => ms.toFixed(0)).join(' ')}]`,
      `  SDK only  ${result.sdkOnlyColdInitMs} ms   [${sdkMs.map((ms) => ms.toFixed(0)).join(' ')}]`,
      `  ratio     ${result.coldInitRatio}`,
      `cold init CPU (user + system, same processes, medians):`,
      `  hub ${cpuMs.toFixed(1)} ms, SDK only ${sdkOnlyCpuMs.toFixed(1)} ms, ratio ${(cpuMs / sdkOnlyCpuMs).toFixed(3)}`,
      `runs ${RUNS}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
