// What each command accepts, in one place: the flags every subcommand's parser uses are the ones its help
// lists (generated from the same definitions), so the help cannot drift from the parser. Also the
// "did you mean" for mistyped commands and flags.
import { parseArgs } from 'node:util';
import { CliError, EXIT } from './io.js';

export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's placeholder in the help (string flags), e.g. DIR. */
  readonly value?: string;
  readonly help: string;
}

export type Flags = Readonly<Record<string, Flag>>;

export interface Subcommand {
  /** What follows `shuyu GROUP SUB`: positionals and the main flags, e.g. "ID [--reason TEXT]". */
  readonly usage: string;
  /** One or more lines saying what it does. */
  readonly summary: string;
  readonly flags: Flags;
}

export interface CommandGroup {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  readonly subcommands: Readonly<Record<string, Subcommand>>;
  /** Extra lines after the list of subcommands (environment variables, formats). */
  readonly notes?: string;
}

type FlagValue<F extends Flag> = F extends { type: 'boolean' }
  ? boolean
  : F extends { multiple: true }
    ? string[]
    : string;

/** The parsed values of `O`'s flags (each absent unless given). */
export type FlagValues<O extends Flags> = { [K in keyof O]?: FlagValue<O[K]> };

/** Thrown by parseFlags on --help/-h: main prints the text and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

export const isHelpFlag = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

/** --help/-h anywhere before a `--` terminator. */
function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (isHelpFlag(arg)) return true;
  }
  return false;
}

function flagUsage(name: string, flag: Flag): string {
  const value = flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : '';
  return `--${name}${value}${flag.multiple ? ' (repeatable)' : ''}`;
}

/** The help of one subcommand: usage, what it does, and every flag its parser accepts. */
export function subcommandHelp(group: CommandGroup, name: string): string {
  const sub = group.subcommands[name];
  if (sub === undefined) return groupHelp(group);
  const lines = [`Usage: ${commandName(group, name)}${sub.usage ? ` ${sub.usage}` : ''}`, ''];
  for (const line of sub.summary.split('\n')) lines.push(`  ${line}`);
  const entries = Object.entries(sub.flags);
  if (entries.length > 0) {
    lines.push('', 'Options:');
    const width = Math.min(34, Math.max(10, ...entries.map(([n, f]) => flagUsage(n, f).length)));
    for (const [flagName, flag] of entries) {
      const usage = flagUsage(flagName, flag);
      const [first, ...more] = flag.help.split('\n');
      if (usage.length > width) lines.push(`  ${usage}`, `  ${' '.repeat(width)}  ${first ?? ''}`);
      else lines.push(`  ${usage.padEnd(width)}  ${first ?? ''}`);
      for (const line of more) lines.push(`  ${' '.repeat(width)}  ${line}`);
    }
  }
  const width = Math.min(34, Math.max(10, ...entries.map(([n, f]) => flagUsage(n, f).length)));
  lines.push(`  ${'--help, -h'.padEnd(width)}  this text`);
  return lines.join('\n');
}

const commandName = (group: CommandGroup, name: string): string =>
  name === '' ? `shuyu ${group.name}` : `shuyu ${group.name} ${name}`;

/** The help of a command: each subcommand's usage and first summary line. */
export function groupHelp(group: CommandGroup): string {
  if ('' in group.subcommands) return subcommandHelp(group, '');
  const lines = [`shuyu ${group.name}: ${group.summary}`, '', 'Usage:'];
  for (const [name, sub] of Object.entries(group.subcommands)) {
    lines.push(`  ${commandName(group, name)}${sub.usage ? ` ${sub.usage}` : ''}`);
    for (const line of sub.summary.split('\n')) lines.push(`      ${line}`);
  }
  if (group.notes) lines.push('', group.notes);
  if (!('' in group.subcommands))
    lines.push('', `"shuyu ${group.name} SUBCOMMAND --help" lists every option of one subcommand.`);
  return lines.join('\n');
}

/** Edit distance with adjacent transpositions counting one (strat -> start), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const swapped =
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
          ? (before[j - 2] ?? 0) + 1
          : Infinity;
      current[j] = Math.min(
        swapped,
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits), or a prefix match. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  if (best && best.distance <= limit) return best.name;
  return candidates.find((c) => word.length >= 3 && c.startsWith(word));
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean "${match}"?`;
}

/**
 * Parses `args` with the subcommand's flags (positionals allowed). --help/-h throws HelpRequested with the
 * subcommand's help; an unknown or malformed flag is a usage error with a suggestion and the help hint.
 * `O` is the module's full flag table; the subcommand's flags are a subset of it.
 */
export function parseFlags<O extends Flags>(
  group: CommandGroup,
  name: string,
  args: string[],
): { values: FlagValues<O>; positionals: string[] } {
  const sub = group.subcommands[name];
  if (sub === undefined) throw unknownSubcommand(group, name);
  if (asksForHelp(args)) throw new HelpRequested(subcommandHelp(group, name));
  const hint = `run "${commandName(group, name)} --help"`;
  try {
    const { values, positionals } = parseArgs({
      args,
      options: sub.flags as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as FlagValues<O>, positionals };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '';
      const bare = given.replace(/^-+/, '').split('=')[0] ?? '';
      const suggestion = closest(bare, Object.keys(sub.flags));
      throw new CliError(
        `unknown option ${given.split('=')[0]} for "${commandName(group, name)}"` +
          (suggestion ? `; did you mean --${suggestion}?` : '') +
          `; ${hint}`,
        EXIT.usage,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const message = (error as Error).message.split('\n')[0] ?? '';
      throw new CliError(`${message.replace(/^Option /, 'option ')}; ${hint}`, EXIT.usage);
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new CliError(`${(error as Error).message}; ${hint}`, EXIT.usage);
    }
    throw error;
  }
}

export function unknownSubcommand(group: CommandGroup, name: string): CliError {
  return new CliError(
    `unknown command "shuyu ${group.name} ${name}"${didYouMean(name, Object.keys(group.subcommands))}; ` +
      `run "shuyu ${group.name} --help"`,
    EXIT.usage,
  );
}

/** Common flags, shared by many subcommands. */
export const JSON_FLAG = { json: { type: 'boolean', help: 'print the result as JSON' } } as const;
