// Small helpers every command uses: reading input files with clear errors, printing, locating the
// project's own files (templates, seeds) from the compiled or the source tree.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exit codes: 0 ok / permit, 1 errors in the input, 2 usage, 3 deny or not-applicable. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, denied: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.invalid,
  ) {
    super(message);
  }
}

const MAX_INPUT_BYTES = 8 * 1024 * 1024;

/** Reads a text file, refusing directories and oversized files with a sentence saying what to do. */
export function readTextFile(path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CliError(`${path} is not a file`);
    size = stat.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  if (size > MAX_INPUT_BYTES)
    throw new CliError(`${path} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; split it`);
  return readFileSync(path, 'utf8');
}

/** Reads and parses a JSON file; a syntax error names the file. */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface Output {
  line(text?: string): void;
  error(text: string): void;
}

export const consoleOutput: Output = {
  line: (text = '') => process.stdout.write(text + '\n'),
  error: (text) => process.stderr.write(text + '\n'),
};

/**
 * Output into a closed pipe (`shuyu policy eval ... | head`) ends the command quietly, as Unix tools do,
 * instead of an EPIPE stack trace.
 */
export function guardBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/** Checks that FILE can be created: its directory exists and is a directory (no raw ENOENT later). */
export function checkOutputFile(file: string, flag = '--out'): void {
  const dir = dirname(resolve(file));
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new CliError(
      `${flag} ${file}: the directory ${dirname(file)} does not exist; create it first (mkdir -p ${dirname(file)})`,
    );
  }
  if (!isDirectory) throw new CliError(`${flag} ${file}: ${dirname(file)} is not a directory`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new CliError(`${flag} ${file} is a directory; give a file name`);
}

/**
 * A time as people here read it: local date and time with the UTC offset (2026-12-06 12:08:28 +08:00),
 * in the zone of TZ (or the system's). Machine output (--json) keeps the ISO form.
 */
export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** The project root (where package.json of shuyu lives), from dist/cli or cli/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"shuyu"/.test(readFileSync(pkg, 'utf8'))) return dir;
    dir = dirname(dir);
  }
  throw new CliError('cannot find the Shuyu installation (package.json); run shuyu from its checkout');
}
