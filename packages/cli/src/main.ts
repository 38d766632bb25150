import { Command, CommanderError } from 'commander';
import { registerAccounts } from './commands/accounts.js';
import { registerAudit } from './commands/audit.js';
import { registerConsumeCommand } from './commands/consume.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerLocalUpCommand } from './commands/localUp.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerUndo } from './commands/undo.js';
import { CliExit, type CliIo, processIo } from './io.js';

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
  registerAccounts,
  registerDoctor,
];

export function buildProgram(io: CliIo, context: CliContext = {}): Command {
  const program = new Command('remediation-hub')
    .description(
      'Closes world-open security-group exposures across an AWS organisation from one hub account.',
    )
    .exitOverride()
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

/** Runs the CLI; returns the exit code. Errors are one line on stderr with exit code 2. */
export async function main(argv: string[], io: CliIo = processIo, context: CliContext = {}): Promise<number> {
  const program = buildProgram(io, context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      io.stderr(`remediation-hub: ${oneLine(error.message.replace(/^error: /, ''))}\n`);
      return 2;
    }
    io.stderr(`remediation-hub: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
