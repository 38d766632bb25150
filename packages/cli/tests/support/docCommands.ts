import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One command a page shows (a `$ ` line of a fenced block) and the output it shows under it. */
export interface DocCommand {
  file: string;
  /** 1-based line of the `$ ` line. */
  line: number;
  /** The command, its continuation lines joined (`\` at the end of a line, or an open quote). */
  command: string;
  /** The lines shown after it, up to the next `$ ` line or the end of the block (comment lines `# ...` left out). */
  output: string[];
}

/** Every `$ ` command of every fenced block of a Markdown file. */
export function docCommands(root: string, file: string): DocCommand[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const commands: DocCommand[] = [];
  let inBlock = false;
  let current: DocCommand | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      current = undefined;
      continue;
    }
    if (!inBlock) continue;
    if (line.startsWith('$ ')) {
      const start = index + 1;
      let command = line.slice(2);
      while ((command.endsWith('\\') || quotesOpen(command)) && index + 1 < lines.length) {
        index++;
        command = command.endsWith('\\')
          ? `${command.slice(0, -1)}${lines[index]}`
          : `${command}\n${lines[index]}`;
      }
      current = { file, line: start, command, output: [] };
      commands.push(current);
    } else if (current !== undefined && !line.startsWith('# ')) {
      current.output.push(line);
    }
  }
  return commands;
}

function quotesOpen(command: string): boolean {
  return (command.match(/"/g)?.length ?? 0) % 2 === 1;
}

/**
 * What may differ between a page's output and a run's: times, durations (and their rough hours or days), request and message ids (UUIDs), loopback ports, and the
 * ids a run makes (alert ids, security groups), given as a map from each id to its placeholder. Runs of
 * spaces (table columns, whose width follows the ids) count as two.
 */
export function normalize(text: string, ids: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [id, placeholder] of ids) out = out.replaceAll(id, placeholder);
  return out
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/g, '<time>')
    .replace(/\b\d+ ms\b/g, '<n> ms')
    .replace(/\b\d+(\.\d+)? s\b/g, '<n> s')
    .replace(/\(about [\d,]+ (h|days)\)/g, '(about <n> $1)')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\b(demo-[a-z-]+)-[0-9a-f]{6}\b/g, '$1-<run>')
    .replace(/\b[A-Za-z0-9]{52}\b/g, '<request-id>')
    .replace(/sg-[0-9a-f]{17}/g, (id) => ids.get(id) ?? id)
    .replace(/ {2,}/g, '  ')
    .replace(/[ \t]+$/gm, '')
    .trimEnd();
}

/** The rows of each `audit list` table sorted (records of one second come in any order), header and footer kept. */
export function sortTableRows(text: string): string {
  const lines = text.split('\n');
  if (!lines[0]?.startsWith('RECORDED')) return text;
  const footer = lines.findIndex((line, index) => index > 0 && !/^<time>|^\d{4}-/.test(line));
  const end = footer === -1 ? lines.length : footer;
  return [lines[0], ...lines.slice(1, end).sort(), ...lines.slice(end)].join('\n');
}

/**
 * Whether `actual` shows what `expected` shows, line by line; a line `...` (or `  ...`) in `expected` stands
 * for any number of lines, as the pages shorten long outputs. Returns the first difference, or `undefined`.
 */
export function compareShortened(expected: string, actual: string): string | undefined {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if ((want[w] as string).trim() === '...') {
      for (let skip = g; skip <= got.length; skip++) if (match(w + 1, skip)) return true;
      return false;
    }
    return g < got.length && want[w] === got[g] && match(w + 1, g + 1);
  };
  if (match(0, 0)) return undefined;
  return `expected:\n${expected}\n\nactual:\n${actual}`;
}
