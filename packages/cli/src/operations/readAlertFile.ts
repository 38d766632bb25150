import { readFile } from 'node:fs/promises';
import { parseFindings, type ReadFinding } from '@remediation-hub/core';
import { CliUsageError } from '../io.js';

export interface AlertFile {
  body: string;
  findings: ReadFinding[];
}

/**
 * An alert file read and parsed before anything touches the hub: a file that cannot be read, or that carries a
 * finding the hub cannot read, is refused in one line (exit 2) and leaves no ledger record. (A queue message the
 * hub cannot read is recorded `rejected`, since it has nowhere else to go; a file has its operator.)
 */
export async function readAlertFile(file: string): Promise<AlertFile> {
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const findings = parseFindings(body);
  const bad = findings.findIndex((read) => read.unreadable !== undefined);
  const unreadable = findings[bad]?.unreadable;
  if (unreadable !== undefined) {
    const which = findings.length > 1 ? ` (finding ${bad + 1} of ${findings.length})` : '';
    throw new CliUsageError(
      `${file}${which} is not an alert the hub can read: ${unreadable.error.message}; nothing was recorded`,
    );
  }
  return { body, findings };
}
