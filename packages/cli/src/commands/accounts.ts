import { randomBytes } from 'node:crypto';
import {
  loadConfig,
  parseOrganizationalUnitRef,
  type RegistryAction,
  type RegistryAuditEvent,
  type RegistryEntry,
  type RegistryStanding,
  syncChanges,
} from '@remediation-hub/core';
import type { RegistryChangeResult } from '@remediation-hub/hub-handler';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type Column, renderTable } from '../format/renderTable.js';
import type { CliIo } from '../io.js';
import type { RegistryConnection } from '../operations/openRegistry.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AccountsCommandContext {
  env?: Env;
  /** Overrides `AWS_ENDPOINT_URL` (tests put a recording proxy here). */
  endpoint?: string;
  now?: () => Date;
}

interface TableOptions {
  table?: string;
  json?: boolean;
}

const CHANGES: ReadonlyArray<{ action: RegistryAction; description: string }> = [
  {
    action: 'allow',
    description: 'Allow accounts, in the mode the deployment gives them (OU or list dry-run markers).',
  },
  {
    action: 'deny',
    description: 'Never act in these accounts: an explicit deny wins over every OU and list.',
  },
  {
    action: 'dry-run',
    description: 'Allow these accounts, only planning there (whatever their OU or list says).',
  },
  {
    action: 'remediate',
    description: 'Allow these accounts and remediate there (whatever their OU or list says).',
  },
  { action: 'forget', description: 'Remove the registry entries: the OUs and the lists decide again.' },
];

/**
 * `accounts list | allow | deny | dry-run | remediate | forget | sync`: the account registry. Every change is written
 * with its audit item (who, when, before and after, the command) in one transaction.
 */
export function registerAccounts(program: Command, io: CliIo, context: AccountsCommandContext = {}): void {
  const accounts = program
    .command('accounts')
    .description(
      'The account registry: allow, deny or set the mode of accounts, beside the OUs and the allow-list',
    );

  accounts
    .command('list')
    .description('Every registry entry; with --account, that entry and its history of changes.')
    .option('--account <id>', 'one account: its entry and every change to it, newest first', accountId)
    .option('--table <name>', 'the registry table (default: $ACCOUNT_REGISTRY_TABLE)')
    .option('--json', 'print one JSON document')
    .action(async (options: TableOptions & { account?: string }) => {
      await withRegistry(context, options.table, async (registry) => {
        if (options.account !== undefined) {
          const entry = await registry.admin.get(options.account);
          const history = await registry.admin.history(options.account);
          if (options.json) {
            io.stdout(
              `${JSON.stringify({ accountId: options.account, entry: entry ?? null, history }, null, 2)}\n`,
            );
            return;
          }
          io.stdout(`${renderHistory(options.account, entry, history)}\n`);
          return;
        }
        const entries = await registry.admin.list();
        if (options.json) {
          io.stdout(
            `${JSON.stringify({ table: registry.admin.tableName, count: entries.length, entries }, null, 2)}\n`,
          );
          return;
        }
        if (entries.length === 0) {
          io.stdout(`the registry ${registry.admin.tableName} holds no account\n`);
          return;
        }
        io.stdout(`${renderTable(ENTRY_COLUMNS, entries)}\n`);
        io.stdout(
          `${entries.length} account${entries.length === 1 ? '' : 's'} in ${registry.admin.tableName}\n`,
        );
      });
    });

  for (const { action, description } of CHANGES) {
    accounts
      .command(action)
      .description(description)
      .argument('<ids>', 'comma-separated 12-digit account ids', accountIds)
      .option('--note <text>', 'why (kept on the entry and in its audit item)')
      .option('--table <name>', 'the registry table (default: $ACCOUNT_REGISTRY_TABLE)')
      .option('--json', 'print one JSON document')
      .action(async (ids: string[], options: TableOptions & { note?: string }) => {
        await withRegistry(context, options.table, async (registry) => {
          const actor = await registry.actor();
          const results: RegistryChangeResult[] = [];
          for (const id of ids) {
            results.push(
              await registry.admin.apply({
                accountId: id,
                action,
                actor,
                note: options.note,
                command: `accounts ${action}`,
                now: context.now?.() ?? new Date(),
                id: randomBytes(4).toString('hex'),
              }),
            );
          }
          io.stdout(
            options.json ? `${JSON.stringify({ actor, results }, null, 2)}\n` : renderResults(results, actor),
          );
        });
      });
  }

  accounts
    .command('sync')
    .description(
      'Make the registry hold the accounts of a source: the environment lists (to move a deployment off them) or every account now under OUs. Never lifts a deny.',
    )
    .addOption(
      new Option('--from-env', 'ALLOWED_ACCOUNTS as allow, those also in DRY_RUN_ACCOUNTS as dry-run'),
    )
    .option(
      '--ou <ous>',
      'comma-separated OU ids or organisation paths: every account under them (child OUs too)',
    )
    .addOption(
      new Option('--standing <standing>', 'what the OUs’ accounts get (with --ou)')
        .choices(['allow', 'dry-run', 'remediate'])
        .default('allow'),
    )
    .option('--dry-run', 'print the changes, write nothing')
    .option('--table <name>', 'the registry table (default: $ACCOUNT_REGISTRY_TABLE)')
    .option('--json', 'print one JSON document')
    .action(
      async (
        options: TableOptions & {
          fromEnv?: boolean;
          ou?: string;
          standing: RegistryStanding;
          dryRun?: boolean;
        },
      ) => {
        if ((options.fromEnv === true) === (options.ou !== undefined)) {
          throw new InvalidArgumentError('accounts sync needs exactly one source: --from-env or --ou OUS');
        }
        const env = context.env ?? process.env;
        const wanted = options.fromEnv
          ? fromEnvironment(env)
          : await fromUnits(options.ou ?? '', options.standing, env, context);
        await withRegistry(context, options.table, async (registry) => {
          const current = new Map((await registry.admin.list()).map((entry) => [entry.accountId, entry]));
          const changes = syncChanges(current, wanted);
          const kept = [...wanted.keys()].filter((id) => current.get(id)?.standing === 'deny');
          const command = options.fromEnv ? 'accounts sync --from-env' : `accounts sync --ou ${options.ou}`;
          const results: RegistryChangeResult[] = [];
          const actor = options.dryRun ? undefined : await registry.actor();
          if (actor !== undefined) {
            for (const change of changes) {
              results.push(
                await registry.admin.apply({
                  accountId: change.accountId,
                  action: change.after,
                  actor,
                  command,
                  now: context.now?.() ?? new Date(),
                  id: randomBytes(4).toString('hex'),
                }),
              );
            }
          }
          if (options.json) {
            io.stdout(
              `${JSON.stringify({ dryRun: options.dryRun === true, source: command, wanted: wanted.size, changes, deniedKept: kept, actor }, null, 2)}\n`,
            );
            return;
          }
          const lines = changes.map(
            (c) =>
              `${c.accountId}  ${c.before ?? '(none)'} -> ${c.after}${options.dryRun ? '  (not written: --dry-run)' : ''}`,
          );
          for (const id of kept) lines.push(`${id}  deny kept (a sync never lifts a deny)`);
          lines.push(
            `${command}: ${wanted.size} account${wanted.size === 1 ? '' : 's'} in the source, ${changes.length} ${options.dryRun ? 'to change' : 'changed'}, ${wanted.size - changes.length - kept.length} already as wanted${actor ? `; by ${actor}` : ''}`,
          );
          io.stdout(`${lines.join('\n')}\n`);
        });
      },
    );
}

function fromEnvironment(env: Env): Map<string, RegistryStanding> {
  const config = loadConfig(env);
  const wanted = new Map<string, RegistryStanding>();
  for (const id of config.allowedAccounts)
    wanted.set(id, config.dryRunAccounts.has(id) ? 'dry-run' : 'allow');
  return wanted;
}

async function fromUnits(
  text: string,
  standing: RegistryStanding,
  env: Env,
  context: AccountsCommandContext,
): Promise<Map<string, RegistryStanding>> {
  const units = text.split(',').map((part) => {
    const ref = parseOrganizationalUnitRef(part);
    if (ref === undefined) throw new InvalidArgumentError(`not an OU id or organisation path: ${part}`);
    return ref;
  });
  const { OrganizationsClient } = await import('@aws-sdk/client-organizations');
  const { OrganizationsAccountDirectory } = await import('@remediation-hub/hub-handler');
  const { cliHubCredentials } = await import('../hubEnvironment.js');
  const endpoint = context.endpoint ?? env.AWS_ENDPOINT_URL;
  const credentials = cliHubCredentials(env);
  const client = new OrganizationsClient({
    region: 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  try {
    const snapshot = await new OrganizationsAccountDirectory({
      client,
      allowedUnits: units,
      ttlSeconds: 60,
    }).snapshot();
    return new Map([...snapshot.allowed].map((id) => [id, standing]));
  } finally {
    client.destroy();
  }
}

async function withRegistry(
  context: AccountsCommandContext,
  tableName: string | undefined,
  run: (registry: RegistryConnection) => Promise<void>,
): Promise<void> {
  // The SDK loads only when the command runs: `--help` and the other commands stay quick.
  const { openRegistry } = await import('../operations/openRegistry.js');
  const registry = openRegistry({ tableName, endpoint: context.endpoint, env: context.env ?? process.env });
  try {
    await run(registry);
  } finally {
    registry.destroy();
  }
}

const ENTRY_COLUMNS: Column<RegistryEntry>[] = [
  { header: 'ACCOUNT', value: (e) => e.accountId },
  { header: 'STANDING', value: (e) => e.standing },
  { header: 'UPDATED', value: (e) => e.updatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
  { header: 'BY', value: (e) => e.updatedBy },
  { header: 'NOTE', value: (e) => e.note ?? '-' },
];

const HISTORY_COLUMNS: Column<RegistryAuditEvent>[] = [
  { header: 'WHEN', value: (e) => e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') },
  { header: 'CHANGE', value: (e) => `${e.before ?? '(none)'} -> ${e.after ?? '(none)'}` },
  { header: 'BY', value: (e) => e.actor },
  { header: 'COMMAND', value: (e) => e.command },
  { header: 'NOTE', value: (e) => e.note ?? '-' },
];

function renderHistory(
  accountId: string,
  entry: RegistryEntry | undefined,
  history: RegistryAuditEvent[],
): string {
  const lines = [
    entry === undefined
      ? `${accountId}: no registry entry (the OUs and the lists decide)`
      : `${accountId}: ${entry.standing} since ${entry.updatedAt} by ${entry.updatedBy}${entry.note ? ` (${entry.note})` : ''}`,
  ];
  if (history.length > 0) lines.push(renderTable(HISTORY_COLUMNS, history));
  else lines.push('no change recorded');
  return lines.join('\n');
}

function renderResults(results: RegistryChangeResult[], actor: string): string {
  const lines = results.map((r) =>
    r.changed
      ? `${r.accountId}  ${r.before?.standing ?? '(none)'} -> ${r.after?.standing ?? '(none)'}`
      : `${r.accountId}  ${r.before?.standing ?? '(none)'}, unchanged`,
  );
  const changed = results.filter((r) => r.changed).length;
  lines.push(`${changed} changed, ${results.length - changed} unchanged; by ${actor}`);
  return `${lines.join('\n')}\n`;
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value))
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got ${value}`);
  return value;
}

function accountIds(value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`expected comma-separated 12-digit AWS account ids, got ${value}`);
  }
  return [...new Set(ids)];
}
