// The `shuyu` command: dispatches to one module per concern.

import { StoreError } from '../connector/store/types.js';
import { CliError, consoleOutput, EXIT, type Output } from './io.js';
import { authorityCommand } from './authority.js';
import { credentialCommand } from './credential.js';
import { catalogSearch } from './catalog-search.js';
import { connectorCommand } from './connector.js';
import { evidenceCommand } from './evidence.js';
import { memberCommand } from './member.js';
import { participantCommand } from './participant.js';
import { policyCommand, POLICY_HELP } from './policy.js';
import { productCommand } from './product.js';
import { demoCommand, startCommand } from './start.js';
import { storeCommand } from './store.js';
import { walletCommand } from './wallet.js';

const HELP = `shuyu — trusted data-space connector and federated catalog

Usage:
  shuyu start                 run the local data space, all four sectors (npm start)
  shuyu demo [--evidence sm]  a narrated end-to-end story that exits 0 when every step works (npm run demo);
                              --evidence sm runs the data space on SM3/SM2 evidence (or SHUYU_EVIDENCE_ALGORITHMS=sm)
  shuyu policy check FILE...  validate and lint ODRL policies
  shuyu policy eval ...       evaluate a request against a policy and explain the decision
  shuyu authority init|start  create and run the data space authority
  shuyu member ...            apply (participants); list, approve, reject, suspend, revoke (admins)
  shuyu credential verify F   verify a credential or presentation offline, check by check
  shuyu wallet list           the credentials a connector holds
  shuyu connector start       run a participant's connector
  shuyu asset|offer ...       publish datasets and offers (your connector's management API)
  shuyu product ...           register data products at the authority (apply, list, show; approve, reject)
  shuyu catalog search [Q]    search the federated catalog as your connector (what you may see)
  shuyu catalog request ...   ask another connector's catalog
  shuyu catalog start         the authority with the federated catalog (same as authority start)
  shuyu negotiate ...         negotiate contracts; shuyu transfer ... to move data
  shuyu evidence export|verify|prove   the tamper-evident log, verified offline
  shuyu store migrate --to URL   copy a connector's SQLite state into PostgreSQL
  shuyu help                  this text

${POLICY_HELP}`;

export async function main(argv: string[], out: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'policy':
        return await policyCommand(rest, out);
      case 'authority':
        return await authorityCommand(rest, out);
      case 'member':
        return await memberCommand(rest, out);
      case 'product':
        return await productCommand(rest, out);
      case 'credential':
        return await credentialCommand(rest, out);
      case 'wallet':
        return await walletCommand(rest, out);
      case 'connector':
        return await connectorCommand(rest, out);
      case 'evidence':
        return await evidenceCommand(rest, out);
      case 'store':
        return await storeCommand(rest, out);
      case 'catalog':
        // The federated catalog runs in the authority process; search it as your connector's member.
        if (rest[0] === 'start') return await authorityCommand(rest, out);
        if (rest[0] === 'search') return await catalogSearch(rest.slice(1), out);
        return await participantCommand(command, rest, out);
      case 'asset':
      case 'offer':
      case 'negotiate':
      case 'transfer':
        return await participantCommand(command, rest, out);
      case 'start':
        return await startCommand(rest, out);
      case 'demo':
        return await demoCommand(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.line(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new CliError(`unknown command "${command}"; run "shuyu help" to see the commands`, EXIT.usage);
    }
  } catch (e) {
    if (e instanceof CliError) {
      out.error(`shuyu: ${e.message}`);
      return e.exitCode;
    }
    // The database cannot be used (bad URL, server down, missing database): the message says what to do.
    if (e instanceof StoreError) {
      out.error(`shuyu: ${e.message}`);
      return e.code === 'ERR_STORE_URL' ? EXIT.usage : EXIT.invalid;
    }
    // parseArgs reports unknown options with a TypeError carrying a code.
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      out.error(`shuyu: ${(e as Error).message}; run "shuyu help"`);
      return EXIT.usage;
    }
    out.error(
      `shuyu: unexpected failure: ${(e as Error)?.stack ?? String(e)}\nPlease report this with the command you ran.`,
    );
    return EXIT.invalid;
  }
}
