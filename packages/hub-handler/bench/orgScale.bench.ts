/**
 * Organisation scale: 5,000 member accounts under OUs and in the account registry, alerts spread over 500 of them,
 * through the real hub (composition root, account directory, ledger, STS credentials cache, EC2 gateway) on the
 * emulator, every AWS call going through the recording proxy that counts them. Prints one table; asserts nothing.
 *
 *   node --import tsx packages/hub-handler/bench/orgScale.bench.ts [--accounts 5000] [--alerted 500] [--alerts-per-account 2]
 *
 * Starts its own emulator (or uses AWS_ENDPOINT_URL). Building the organisation (CreateAccount and MoveAccount for
 * every account) is set-up and is timed apart. Figures per scenario:
 * - cold: the first answer of a fresh directory (a Lambda container's first alert): its time and its calls;
 * - lookups per alert: Organizations and registry calls made while the alerts ran, per alert;
 * - AssumeRole: calls and distinct accounts (one per account: the credentials cache);
 * - cache heap: what the directory's caches and the credentials cache hold, measured as heap growth after a GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_REGISTRY_TABLE, loadConfig } from '@remediation-hub/core';
import {
  awsClientConfig,
  createAccountRegistryTable,
  createLedgerTable,
  createMemberAccounts,
  createOrganizationalUnit,
  ensureOrganization,
  makeAlert,
  sqsEvent,
  startEmulator,
  startRecordingProxy,
  uniqueName,
} from '@remediation-hub/testkit';
import { ORGANIZATIONS_RATE } from '../src/adapters/OrganizationsAccountDirectory.js';
import { createCompositionRoot } from '../src/compositionRoot.js';
import { createLogger } from '../src/logging/createLogger.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ACCOUNTS = arg('accounts', 5000);
const ALERTED = arg('alerted', 500);
const PER_ACCOUNT = arg('alerts-per-account', 2);
const TOP_UNITS = 10;
const LEAVES_PER_TOP = 5;

const log = (line: string) => process.stderr.write(`${line}\n`);
const emulator = await startEmulator();
process.env.AWS_ENDPOINT_URL = emulator.endpoint;
const hubCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

try {
  // --- set-up: the organisation, the registry, the hub's tables --------------------------------------------------
  const setupStarted = performance.now();
  const organization = await ensureOrganization();
  const root = { id: organization.rootId, path: organization.rootPath };
  const tops: Array<{ id: string; path: string }> = [];
  const leaves: Array<{ id: string; path: string }> = [];
  for (let t = 0; t < TOP_UNITS; t++) {
    const top = await createOrganizationalUnit(organization, root, uniqueName(`division-${t}`));
    tops.push(top);
    for (let l = 0; l < LEAVES_PER_TOP; l++)
      leaves.push(await createOrganizationalUnit(organization, top, uniqueName(`team-${t}-${l}`)));
  }
  const perLeaf = Math.ceil(ACCOUNTS / leaves.length);
  const accounts: string[] = [];
  for (const [index, leaf] of leaves.entries()) {
    const count = Math.min(perLeaf, ACCOUNTS - accounts.length);
    if (count <= 0) break;
    accounts.push(
      ...(await createMemberAccounts(organization, count, {
        parentId: leaf.id,
        namePrefix: `bench-${index}`,
        concurrency: 8,
      })),
    );
    if (index % 10 === 9) log(`set-up: ${accounts.length} accounts under ${index + 1} units`);
  }
  organization.client.destroy();
  const dynamodb = new DynamoDBClient(awsClientConfig());
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const ledgerTable = uniqueName('bench-ledger');
  const registryTable = uniqueName('bench-accounts');
  await createLedgerTable(dynamodb, ledgerTable);
  await createAccountRegistryTable(dynamodb, registryTable);
  const now = new Date().toISOString();
  for (let i = 0; i < accounts.length; i += 25) {
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [registryTable]: accounts.slice(i, i + 25).map((accountId) => ({
            PutRequest: {
              Item: {
                accountId,
                [ACCOUNT_REGISTRY_TABLE.sortKey.name]: ACCOUNT_REGISTRY_TABLE.currentEntry,
                [ACCOUNT_REGISTRY_TABLE.currentIndex.partitionKey.name]:
                  ACCOUNT_REGISTRY_TABLE.currentIndex.value,
                standing: 'allow',
                updatedAt: now,
                updatedBy: 'bench',
                version: 1,
              },
            },
          })),
        },
      }),
    );
  }
  dynamodb.destroy();
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  log(
    `set-up: ${accounts.length} accounts in ${leaves.length} units under ${tops.length}, registry of ${accounts.length}, ${setupSeconds.toFixed(1)} s`,
  );

  // Alerts: `PER_ACCOUNT` for each of `ALERTED` accounts spread over every unit, interleaved as a scan would send them.
  const alerted = Array.from(
    { length: ALERTED },
    (_, i) => accounts[Math.floor((i * accounts.length) / ALERTED)] as string,
  );
  /** Fresh alert ids for each scenario (the ledger is shared; a repeated id would be a duplicate). */
  const alertsFor = (): string[] => {
    const bodies: string[] = [];
    for (let round = 0; round < PER_ACCOUNT; round++) {
      for (const accountId of alerted) {
        const alert = makeAlert({
          id: uniqueName('bench'),
          accountId,
          region: 'us-east-1',
          groupId: 'sg-0badbadbadbadbad0',
        });
        bodies.push(JSON.stringify(alert));
      }
    }
    return bodies;
  };
  const alertCount = ALERTED * PER_ACCOUNT;

  const baseEnv = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: emulator.endpoint,
    LEDGER_TABLE: ledgerTable,
    MEMBER_ROLE_NAME: 'RemediationHubMemberRole',
    MEMBER_ROLE_PATH: '/remediation-hub/',
    MEMBER_EXTERNAL_ID: 'bench-external-id',
    BATCH_CONCURRENCY: '10',
  };
  const scenarios: Array<{ name: string; env: Record<string, string> }> = [
    {
      name: `OUs (${tops.length} units, ${leaves.length} below)`,
      env: { ALLOWED_OUS: tops.map((t) => t.path).join(','), DRY_RUN_OUS: leaves[0]?.id ?? '' },
    },
    { name: `registry (${accounts.length} entries)`, env: { ACCOUNT_REGISTRY_TABLE: registryTable } },
    {
      name: 'OUs + registry, 1st container',
      env: { ALLOWED_OUS: tops.map((t) => t.path).join(','), ACCOUNT_REGISTRY_TABLE: registryTable },
    },
    // Another Lambda container of the same hub: the membership the first one walked is shared in the registry table.
    {
      name: 'OUs + registry, next container',
      env: { ALLOWED_OUS: tops.map((t) => t.path).join(','), ACCOUNT_REGISTRY_TABLE: registryTable },
    },
  ];

  const rows: string[][] = [];
  for (const scenario of scenarios) {
    const proxy = await startRecordingProxy({ target: emulator.endpoint });
    const hub = createCompositionRoot({
      config: loadConfig({ ...baseEnv, ...scenario.env }),
      endpoint: proxy.endpoint,
      credentials: hubCredentials,
      logger: createLogger({ level: 'silent' }),
    });
    const directoryCalls = () =>
      proxy.requests.filter(
        (r) =>
          r.service === 'organizations' ||
          (r.action === 'Query' && r.body.includes('"IndexName":"current"')) ||
          (r.action === 'GetItem' && r.body.includes('#organizations')),
      ).length;

    const coldStarted = performance.now();
    await hub.deps.accounts.standing(alerted[0] as string);
    const coldMs = performance.now() - coldStarted;
    const coldCalls = directoryCalls();
    const walk = await hub.accountSources.organizations?.snapshot();
    const registrySnapshot = await hub.accountSources.registry?.snapshot();
    // The directory's caches, measured on a copy of them (strings copied too) so nothing else is counted.
    const fresh = (id: string) => id.split('').join('');
    gc();
    const heapDirectory = process.memoryUsage().heapUsed;
    const copies = [
      new Set([...(walk?.allowed ?? [])].map(fresh)),
      new Set([...(walk?.dryRun ?? [])].map(fresh)),
      new Map([...(registrySnapshot?.standings ?? [])].map(([id, standing]) => [fresh(id), standing])),
    ];
    gc();
    const directoryKb = (process.memoryUsage().heapUsed - heapDirectory) / 1024;
    copies.length = 0;
    gc();
    const heapWarm = process.memoryUsage().heapUsed;

    const bodies = alertsFor();
    const before = directoryCalls();
    const started = performance.now();
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < bodies.length; i += 10) {
      const result = await hub.processBatch(sqsEvent(bodies.slice(i, i + 10)), 'bench');
      for (const r of result.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    }
    const seconds = (performance.now() - started) / 1000;
    const lookups = directoryCalls() - before;
    const assumed = proxy.requests.filter((r) => r.action === 'AssumeRole');
    const distinct = new Set(assumed.map((r) => r.params.RoleArn?.split(':')[4])).size;
    gc();
    // What the alerts left behind per account: cached credentials, EC2 clients, rate-limit buckets.
    const perAccountKb = (process.memoryUsage().heapUsed - heapWarm) / 1024 / distinct;
    rows.push([
      scenario.name,
      `${(coldMs / 1000).toFixed(2)} s`,
      String(coldCalls),
      walk === undefined
        ? '-'
        : walk.source === 'shared'
          ? 'shared'
          : `${walk.calls} calls, ${(walk.calls / ORGANIZATIONS_RATE.refillPerSecond).toFixed(0)} s`,
      (lookups / bodies.length).toFixed(3),
      String(assumed.length),
      String(distinct),
      String(bodies.length),
      Object.entries(outcomes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      (bodies.length / seconds).toFixed(0),
      `${directoryKb.toFixed(0)} KB`,
      `${perAccountKb.toFixed(1)} KB`,
    ]);
    log(`${scenario.name}: done`);
    hub.destroy();
    await proxy.close();
  }

  const header = [
    'SCENARIO',
    'COLD',
    'COLD CALLS',
    'WALK (AT 10/s)',
    'LOOKUPS/ALERT',
    'ASSUMEROLE',
    'ACCOUNTS',
    'ALERTS',
    'OUTCOMES',
    'ALERTS/S',
    'DIRECTORY CACHE',
    'PER ACCOUNT',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(
    `organisation scale: ${accounts.length} accounts, alerts across ${ALERTED} of them (${alertCount} per scenario), moto on ${emulator.endpoint}; set-up ${setupSeconds.toFixed(0)} s`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `COLD: the first answer of a fresh container, and its Organizations and registry calls. WALK: a walk's calls and their floor at the pace of ${ORGANIZATIONS_RATE.refillPerSecond} calls/s ('shared': read from the registry table, no walk). LOOKUPS/ALERT: Organizations and registry calls per alert once warm. DIRECTORY CACHE: heap of the OU membership and registry snapshots. PER ACCOUNT: heap the alerts left per distinct account (cached credentials, EC2 client, rate-limit bucket), after a GC.`,
  );
} finally {
  await emulator.stop();
}
