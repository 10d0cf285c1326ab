// The `shuyu` command: dispatches to one module per concern. Each module declares its subcommands and
// their flags (a CommandGroup); help, "did you mean" and the unknown-command errors come from those.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORITY_COMMAND, authorityCommand } from './authority.js';
import { CATALOG_SEARCH, catalogSearch } from './catalog-search.js';
import { CATALOG_ADMIN_SUBCOMMANDS, catalogAdminCommand } from './catalog-admin.js';
import { CONNECTOR_COMMAND, connectorCommand } from './connector.js';
import { CREDENTIAL_COMMAND, credentialCommand } from './credential.js';
import { EVIDENCE_COMMAND, evidenceCommand } from './evidence.js';
import { CliError, consoleOutput, EXIT, projectRoot, type Output } from './io.js';
import { MEMBER_COMMAND, memberCommand } from './member.js';
import {
  ASSET_COMMAND,
  CATALOG_REQUEST_SUBCOMMANDS,
  NEGOTIATE_COMMAND,
  OFFER_COMMAND,
  participantCommand,
  TRANSFER_COMMAND,
} from './participant.js';
import { POLICY_COMMAND, policyCommand } from './policy.js';
import { PRODUCT_COMMAND, productCommand } from './product.js';
import {
  didYouMean,
  groupHelp,
  HelpRequested,
  isHelpFlag,
  subcommandHelp,
  unknownSubcommand,
  type CommandGroup,
} from './spec.js';
import { DEMO_COMMAND, demoCommand, START_COMMAND, startCommand } from './start.js';
import { WALLET_COMMAND, walletCommand } from './wallet.js';

/** The federated catalog runs in the authority process: `catalog start` is `authority start`. */
export const CATALOG_COMMAND: CommandGroup = {
  name: 'catalog',
  summary: "the federated catalog (search as your connector) and other connectors' DSP catalogs",
  subcommands: {
    search: CATALOG_SEARCH,
    ...CATALOG_REQUEST_SUBCOMMANDS,
    ...CATALOG_ADMIN_SUBCOMMANDS,
    start: {
      ...(AUTHORITY_COMMAND.subcommands.start as CommandGroup['subcommands'][string]),
      summary: 'Run the authority with the federated catalog until Ctrl-C (same as "shuyu authority start").',
    },
  },
};

type Run = (sub: string, args: string[], out: Output) => Promise<number>;

/** Every command: its declaration and what runs it, in the order of the top-level help. */
export const COMMANDS: readonly { group: CommandGroup; run: Run }[] = [
  { group: START_COMMAND, run: (_sub, args, out) => startCommand(args, out) },
  { group: DEMO_COMMAND, run: (_sub, args, out) => demoCommand(args, out) },
  { group: POLICY_COMMAND, run: policyCommand },
  { group: AUTHORITY_COMMAND, run: (sub, args, out) => authorityCommand(sub, args, out) },
  { group: MEMBER_COMMAND, run: memberCommand },
  { group: CREDENTIAL_COMMAND, run: credentialCommand },
  { group: WALLET_COMMAND, run: walletCommand },
  { group: CONNECTOR_COMMAND, run: connectorCommand },
  { group: ASSET_COMMAND, run: (sub, args, out) => participantCommand('asset', sub, args, out) },
  { group: OFFER_COMMAND, run: (sub, args, out) => participantCommand('offer', sub, args, out) },
  { group: PRODUCT_COMMAND, run: productCommand },
  {
    group: CATALOG_COMMAND,
    run: (sub, args, out) =>
      sub === 'search'
        ? catalogSearch(CATALOG_COMMAND, args, out)
        : sub === 'status' || sub === 'crawl'
          ? catalogAdminCommand(CATALOG_COMMAND, sub, args, out)
          : sub === 'start'
            ? authorityCommand('start', args, out, CATALOG_COMMAND)
            : participantCommand('catalog', sub, args, out),
  },
  { group: NEGOTIATE_COMMAND, run: (sub, args, out) => participantCommand('negotiate', sub, args, out) },
  { group: TRANSFER_COMMAND, run: (sub, args, out) => participantCommand('transfer', sub, args, out) },
  { group: EVIDENCE_COMMAND, run: evidenceCommand },
];

function topHelp(): string {
  const lines = ['shuyu — trusted data-space connector and federated catalog', '', 'Usage:'];
  for (const { group } of COMMANDS) {
    const subs = Object.keys(group.subcommands).filter(Boolean);
    const name = `shuyu ${group.name}${subs.length > 0 ? ` ${subs.join('|')}` : ''}`;
    lines.push(`  ${name}`, `      ${group.summary}`);
  }
  lines.push(
    '  shuyu help [COMMAND [SUBCOMMAND]]   this text, or the help of one command (also: COMMAND --help)',
    '  shuyu --version',
    '',
    'The connector commands find their connector with --dir DIR, else $SHUYU_DIR, else data/connector',
    '(npm start puts each member under data/SECTOR/MEMBER); the admin commands find the authority with',
    '--dir, else $SHUYU_AUTHORITY_DIR, else data/authority.',
  );
  return lines.join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function findCommand(name: string): { group: CommandGroup; run: Run } {
  const found = COMMANDS.find((c) => c.group.name === name);
  if (found !== undefined) return found;
  const names = [...COMMANDS.map((c) => c.group.name), 'help'];
  throw new CliError(`unknown command "${name}"${didYouMean(name, names)}; run "shuyu help"`, EXIT.usage);
}

/** `shuyu help [COMMAND [SUBCOMMAND]]`. */
function help(words: string[], out: Output): number {
  const [name, sub] = words;
  if (name === undefined) {
    out.line(topHelp());
    return EXIT.ok;
  }
  const { group } = findCommand(name);
  if (sub === undefined || '' in group.subcommands) out.line(groupHelp(group));
  else if (sub in group.subcommands) out.line(subcommandHelp(group, sub));
  else throw unknownSubcommand(group, sub);
  return EXIT.ok;
}

async function dispatch(argv: string[], out: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    out.line(topHelp());
    return EXIT.usage;
  }
  if (command === 'help' || isHelpFlag(command)) return help(rest, out);
  if (command === '--version' || command === '-v' || command === 'version') {
    out.line(`shuyu ${version()}`);
    return EXIT.ok;
  }
  if (command.startsWith('-')) {
    throw new CliError(`unknown option ${command}; run "shuyu help"`, EXIT.usage);
  }
  const { group, run } = findCommand(command);
  if ('' in group.subcommands) return run('', rest, out);
  const [sub, ...args] = rest;
  if (sub === undefined) {
    out.line(groupHelp(group));
    return EXIT.usage;
  }
  if (isHelpFlag(sub)) {
    out.line(groupHelp(group));
    return EXIT.ok;
  }
  if (sub === 'help') return help([command, ...args], out);
  if (!(sub in group.subcommands)) {
    // `shuyu catalog --dir X search` and the like: the subcommand comes first.
    if (sub.startsWith('-')) {
      throw new CliError(
        `"shuyu ${command}" needs a subcommand first (${Object.keys(group.subcommands).join(', ')}); run "shuyu ${command} --help"`,
        EXIT.usage,
      );
    }
    throw unknownSubcommand(group, sub);
  }
  return run(sub, args, out);
}

/**
 * The project's own errors carry a code (ERR_...) and a sentence written for the operator (a key directory
 * readable by others, a DID that does not resolve): the sentence is the message, the stack adds nothing.
 */
function explained(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || !code.startsWith('ERR_')) return undefined;
  if (code.startsWith('ERR_PARSE_ARGS') || code.startsWith('ERR_INVALID_ARG')) return undefined; // Node's: a bug here
  return error.message;
}

/** A server that does not answer (not started, wrong URL) is a situation to fix, not a bug: one line. */
function unreachable(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = error.cause as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined;
  const where = cause?.address ? ` ${cause.address}${cause.port ? `:${cause.port}` : ''}` : '';
  return `could not reach${where || ' the server'} (${cause?.code ?? cause?.message ?? 'no answer'}); is it running, and is the URL right?`;
}

/** A user's mistake with files (a path that does not exist, no permission) is said in one line. */
function fileProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    EEXIST: 'already exists',
    EADDRINUSE: 'the port is in use',
  };
  if (typeof e?.code !== 'string' || words[e.code] === undefined) return undefined;
  return `${e.path ?? e.message}: ${words[e.code]}`;
}

export async function main(argv: string[], out: Output = consoleOutput): Promise<number> {
  try {
    return await dispatch(argv, out);
  } catch (e) {
    if (e instanceof HelpRequested) {
      out.line(e.text);
      return EXIT.ok;
    }
    if (e instanceof CliError) {
      out.error(`shuyu: ${e.message}`);
      return e.exitCode;
    }
    const problem = fileProblem(e) ?? unreachable(e) ?? explained(e);
    if (problem !== undefined) {
      out.error(`shuyu: ${problem}`);
      return EXIT.invalid;
    }
    out.error(
      `shuyu: unexpected failure: ${(e as Error)?.stack ?? String(e)}\nPlease report this with the command you ran.`,
    );
    return EXIT.invalid;
  }
}
