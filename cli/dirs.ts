// Where the commands find the connector (or authority) they act for: --dir, else SHUYU_DIR
// (SHUYU_AUTHORITY_DIR), else the default directory when it holds one; otherwise an error naming the
// connectors that do exist under ./data (the `npm start` layout), so the next command can be pasted.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CliError, EXIT } from './io.js';

export const DEFAULT_CONNECTOR_DIR = 'data/connector';
export const DEFAULT_AUTHORITY_DIR = 'data/authority';

/** The --dir flag of every connector command (resolved by connectorDir below). */
export const CONNECTOR_DIR_FLAG = {
  dir: {
    type: 'string',
    value: 'CONNECTOR_DIR',
    help: `the connector directory (default: $SHUYU_DIR, else ${DEFAULT_CONNECTOR_DIR})`,
  },
} as const;
const CONNECTOR_FILE = 'connector.json';
const AUTHORITY_FILE = 'authority.json';

/** Directories below `root` (depth <= 3) holding `file`, relative to the working directory. */
function directoriesHolding(root: string, file: string, depth = 3): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string, level: number): void => {
    if (existsSync(join(dir, file))) found.push(relative(process.cwd(), dir) || '.');
    if (level >= depth) return;
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch {
      return;
    }
    for (const name of entries) walk(join(dir, name), level + 1);
  };
  walk(root, 0);
  return found;
}

/** Connector directories under ./data, for hints. */
export function connectorsUnderData(): string[] {
  return directoriesHolding('data', CONNECTOR_FILE);
}

/**
 * The connector directory a command acts for. `mustExist` false (connector start) takes the default
 * even when it is new.
 */
export function connectorDir(flag: string | undefined, mustExist = true): string {
  const given = flag ?? (process.env.SHUYU_DIR || undefined);
  if (given !== undefined) return given;
  if (!mustExist || existsSync(join(DEFAULT_CONNECTOR_DIR, CONNECTOR_FILE))) return DEFAULT_CONNECTOR_DIR;
  const others = connectorsUnderData();
  throw new CliError(
    others.length > 0
      ? `no connector in ${DEFAULT_CONNECTOR_DIR}; connectors under ./data: ${others.join(', ')}. ` +
          `Pass --dir DIR or set SHUYU_DIR (e.g. export SHUYU_DIR=${others[0]})`
      : `no connector in ${DEFAULT_CONNECTOR_DIR} and none under ./data: start one ` +
          `("shuyu connector start --dir DIR", or "npm start" for the local data space), then pass --dir DIR or set SHUYU_DIR`,
    EXIT.usage,
  );
}

/** The authority directory: --dir, else SHUYU_AUTHORITY_DIR, else data/authority (the `npm start` layout). */
export function authorityDir(flag: string | undefined): string {
  return flag ?? (process.env.SHUYU_AUTHORITY_DIR || undefined) ?? DEFAULT_AUTHORITY_DIR;
}

/** An authority directory holds authority.json; for the hint when it does not. */
export function authoritiesUnderData(): string[] {
  return directoriesHolding('data', AUTHORITY_FILE, 2);
}

/** A word of a printed command, quoted for a POSIX shell when it needs to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A printed, pastable command line. */
export function commandLine(...words: string[]): string {
  return ['shuyu', ...words].map(shellWord).join(' ');
}
