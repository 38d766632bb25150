import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { explainError } from './cliErrors.js';
import { registerAccounts } from './commands/accounts.js';
import { registerAudit } from './commands/audit.js';
import { registerConsumeCommand } from './commands/consume.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerLocalUpCommand } from './commands/localUp.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerPublishCommand } from './commands/publish.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerScanCommand } from './commands/scan.js';
import { registerUndo } from './commands/undo.js';
import { CliExit, type CliIo, CliUsageError, processIo } from './io.js';
import { checkAwsEnvironment, resolveRegion } from './operations/awsEnvironment.js';

/**
 * What the commands read from outside, overridable by tests: the environment, an endpoint for every AWS client (a
 * recording proxy), the clock. Commands that take no context ignore it.
 */
export interface CliContext {
  env?: Readonly<Record<string, string | undefined>>;
  endpoint?: string;
  now?: () => Date;
}

/** Each command module registers itself on the program; one line per command here. */
const registrations: Array<(program: Command, io: CliIo, context: CliContext) => void> = [
  registerPlanCommand,
  registerConsumeCommand,
  registerReplayCommand,
  registerLocalUpCommand,
  registerDemo,
  registerAudit,
  registerUndo,
  registerScanCommand,
  registerPublishCommand,
  registerAccounts,
  registerDoctor,
];

/** The CLI's version, from its package.json. */
export const CLI_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Commands that never talk to AWS or an emulator: their environment is not checked. */
const OFFLINE = new Set(['plan', 'help']);
/** Commands that act in the hub's region: it is resolved as the SDK does (`AWS_PROFILE`'s region too). */
const NEED_REGION = new Set([
  'audit',
  'replay',
  'consume',
  'undo',
  'scan',
  'publish',
  'local',
  'accounts',
  'doctor',
]);

/** The top-level command an action belongs to (`local` for `local up`). */
function topCommand(command: Command): string {
  let current = command;
  while (current.parent?.parent) current = current.parent;
  return current.name();
}

export function buildProgram(io: CliIo, context: CliContext = {}): Command {
  const program = new Command('remediation-hub')
    .description(
      'Closes world-open security-group exposures across an AWS organisation from one hub account.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .hook('preAction', async (_program, action) => {
      const name = topCommand(action);
      if (OFFLINE.has(name)) return;
      checkAwsEnvironment(context.env ?? process.env);
      // A test's environment (context.env) says its region; the process's is resolved as the SDK would.
      if (NEED_REGION.has(name) && context.env === undefined) await resolveRegion(process.env);
    })
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: () => {
        // Reported by main() as one line.
      },
    });
  for (const register of registrations) register(program, io, context);
  return program;
}

/** Commander's answers that are not errors: help asked for or shown, the version printed. */
const SHOWN = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Runs the CLI; returns the exit code. Errors are one line on stderr with exit code 2. */
export async function main(argv: string[], io: CliIo = processIo, context: CliContext = {}): Promise<number> {
  const program = buildProgram(io, context);
  if (argv.length === 0) {
    // No command: the help, on stdout, and a success (it is what was asked for).
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) {
      // A command group without its subcommand (`local`) has printed its help: that is no error either.
      if (error.exitCode === 0 || SHOWN.has(error.code)) return 0;
      io.stderr(`remediation-hub: ${oneLine(error.message.replace(/^error: /, ''))}\n`);
      return 2;
    }
    // The CLI's own refusals are already the line to print; anything else may need explaining.
    const explained = error instanceof CliUsageError ? undefined : explainError(error);
    io.stderr(
      `remediation-hub: ${oneLine(explained ?? (error instanceof Error ? error.message : String(error)))}\n`,
    );
    return 2;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
