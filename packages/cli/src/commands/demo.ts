import type { Command } from 'commander';
import { type DemoReport, renderDemo } from '../format/renderDemo.js';
import { CliExit, type CliIo } from '../io.js';

interface DemoFlags {
  json?: boolean;
}

/**
 * `demo`: the whole multi-account pipeline on the embedded emulator, no AWS account needed. Starts moto
 * (or uses `AWS_ENDPOINT_URL`), runs the scenario, prints the report; exits 1 when any outcome differs
 * from the scenario. The emulator is stopped on every exit path, Ctrl-C included.
 */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('Run the whole pipeline (hub + 3 member accounts, 2 regions) on the embedded AWS emulator.')
    .option('--json', 'print the report as one JSON document')
    .action((flags: DemoFlags) => demo(flags, io));
}

async function demo(flags: DemoFlags, io: CliIo): Promise<void> {
  const show = io.isTty && !flags.json;
  const say = (line: string) => {
    if (show) io.stderr(`${line}\n`);
  };
  const started = performance.now();
  // Loaded here, not at CLI start: the emulator launcher and the demo pull in several SDK clients.
  const { startEmulator } = await import('@remediation-hub/local');
  const { runDemoScenario } = await import('../operations/runDemoScenario.js');

  say(
    process.env.AWS_ENDPOINT_URL
      ? `… using the emulator at ${process.env.AWS_ENDPOINT_URL}`
      : '… starting the AWS emulator (the first run installs moto into .cache/, about a minute)',
  );
  const emulator = await startEmulator({ onProgress: (line) => say(`… ${line}`) });
  const emulatorMs = Math.round(performance.now() - started);
  const onSignal = (signal: NodeJS.Signals) => {
    void emulator.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await runDemoScenario({
      endpoint: emulator.endpoint,
      onProgress: (_stage, message) => say(`… ${message}`),
    });
    const report: DemoReport = {
      ...result,
      emulator: { endpoint: emulator.endpoint, startedHere: emulator.owned, ms: emulatorMs },
      totalMs: Math.round(performance.now() - started),
    };
    io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderDemo(report)}\n`);
    if (!result.ok) throw new CliExit(1);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await emulator.stop();
  }
}
