/** Where a command writes: injected so commands are testable without spawning a process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal: progress lines are shown only then. */
  isTty: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stderr.isTTY),
};

/** An error the CLI reports as one line on stderr with exit code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Thrown by a command that has already reported its result and must end with a given exit code. */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
