// `shuyu member ...`: admins decide applications and manage members over the authority's admin API;
// participants apply with their connector's DID key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminApiError, AuthorityAdminClient } from '../catalog/authority/admin-client.js';
import {
  ADMIN_KEY_FILE,
  ADMIN_URL_FILE,
  adminUrlOf,
  AUTHORITY_CONFIG_FILE,
} from '../catalog/authority/process.js';
import type { Application, Member, MemberState } from '../catalog/authority/types.js';
import { openProcessIdentity, urlToDidWeb } from '../connector/identity/index.js';
import { readConfigFile } from '../connector/process/config.js';
import { AuthorityClient, AuthorityClientError } from '../connector/wallet/authority-client.js';
import { normaliseDid } from './did.js';
import {
  authoritiesUnderData,
  authorityDir,
  commandLine,
  connectorDir,
  connectorsUnderData,
  DEFAULT_AUTHORITY_DIR,
  DEFAULT_CONNECTOR_DIR,
} from './dirs.js';
import { CliError, EXIT, formatTime, type Output } from './io.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags, type FlagValues } from './spec.js';
import { collectCredentials } from './wallet.js';

export { DEFAULT_CONNECTOR_DIR };

/** How the admin commands find the authority's admin API (shared with `shuyu catalog status|crawl`). */
export const ADMIN_FLAGS = {
  dir: {
    type: 'string',
    value: 'AUTHORITY_DIR',
    help: `the authority directory (default: $SHUYU_AUTHORITY_DIR, else ${DEFAULT_AUTHORITY_DIR}); the admin key\ncomes from $SHUYU_ADMIN_KEY or DIR/admin-api-key`,
  },
  'admin-url': {
    type: 'string',
    value: 'URL',
    help: `the authority's admin listener (default: $SHUYU_ADMIN_URL, else DIR/${ADMIN_URL_FILE} written by the\nrunning authority, else the fixed admin.port in DIR/${AUTHORITY_CONFIG_FILE})`,
  },
} as const;
const REASON = {
  reason: { type: 'string', value: 'TEXT', help: 'the reason, recorded and told to the member' },
} as const;
const NOTE = { note: { type: 'string', value: 'TEXT', help: 'a note kept with the decision' } } as const;

const OPTIONS = {
  ...ADMIN_FLAGS,
  authority: {
    type: 'string',
    value: 'URL',
    help: "the authority's public URL (default: the connector's authorityUrl)",
  },
  ...REASON,
  ...NOTE,
  ...JSON_FLAG,
  state: { type: 'string', value: 'STATE', help: 'only members in this state: active, suspended or revoked' },
  grade: { type: 'string', value: 'GRADE', help: 'data-grade clearance: general, important or core' },
  role: { type: 'string', value: 'ROLE', help: 'participant (default), catalog or admin' },
  organisation: { type: 'string', value: 'NAME', help: 'the organisation applying' },
  registration: { type: 'string', value: 'NUMBER', help: 'its registration number (统一社会信用代码)' },
  sector: { type: 'string', value: 'SECTOR:ROLE[,ROLE]', multiple: true, help: 'e.g. medical:hospital' },
  contact: { type: 'string', value: 'EMAIL-OR-PHONE', help: 'who the authority contacts' },
  'connector-dir': {
    type: 'string',
    value: 'DIR',
    help: `the member's connector directory (default: $SHUYU_DIR, else ${DEFAULT_CONNECTOR_DIR})`,
  },
  'connector-url': {
    type: 'string',
    value: 'URL',
    help: "the DSP endpoint to register (default: the connector's /dsp)",
  },
} as const satisfies Flags;

const pick = <K extends keyof typeof OPTIONS>(...keys: K[]): Pick<typeof OPTIONS, K> =>
  Object.fromEntries(keys.map((k) => [k, OPTIONS[k]])) as Pick<typeof OPTIONS, K>;

export const MEMBER_COMMAND: CommandGroup = {
  name: 'member',
  summary: 'apply (participants); list, approve, reject, suspend, reinstate, revoke (admins)',
  subcommands: {
    list: {
      usage: '[--state active|suspended|revoked] [--json]',
      summary: 'Admins: applications awaiting a decision, and members.',
      flags: pick('dir', 'admin-url', 'state', 'json'),
    },
    approve: {
      usage:
        'APPLICATION_ID [--grade GRADE] [--role participant|catalog|admin] [--note TEXT] [--connector-dir DIR]',
      summary:
        "Admins: approve an application; the authority issues the member's credentials. When the member's\n" +
        'connector is on this machine (--connector-dir, or found under ./data) its wallet collects them at once;\n' +
        'otherwise the command to collect them is printed.',
      flags: pick('dir', 'admin-url', 'grade', 'role', 'note', 'connector-dir'),
    },
    reject: {
      usage: 'APPLICATION_ID --reason TEXT',
      summary: 'Admins: reject an application.',
      flags: pick('dir', 'admin-url', 'reason'),
    },
    suspend: {
      usage: 'DID --reason TEXT',
      summary: "Admins: suspend a member (its credentials' status turns suspended).",
      flags: pick('dir', 'admin-url', 'reason'),
    },
    reinstate: {
      usage: 'DID [--note TEXT]',
      summary: 'Admins: reinstate a suspended member.',
      flags: pick('dir', 'admin-url', 'note'),
    },
    revoke: {
      usage: 'DID --reason TEXT',
      summary: 'Admins: revoke a member for good (its credentials are revoked).',
      flags: pick('dir', 'admin-url', 'reason'),
    },
    apply: {
      usage:
        '--organisation NAME --registration NUMBER --sector SECTOR:ROLE[,ROLE] [--sector ...] --contact EMAIL-OR-PHONE\n' +
        '                   [--grade GRADE] [--connector-dir DIR] [--authority URL]',
      summary: "Participants: apply for membership, signed with the connector's DID key.",
      flags: pick(
        'connector-dir',
        'connector-url',
        'authority',
        'organisation',
        'registration',
        'sector',
        'contact',
        'grade',
        'json',
      ),
    },
  },
};

type Values = FlagValues<typeof OPTIONS>;

/** The authority's admin API: on its admin listener, never its public URL. */
export function adminClient(values: {
  dir?: string | undefined;
  'admin-url'?: string | undefined;
}): AuthorityAdminClient {
  const dir = authorityDir(values.dir);
  const url = values['admin-url'] ?? process.env.SHUYU_ADMIN_URL ?? adminUrlOf(dir);
  if (!url) {
    const why = existsSync(join(dir, AUTHORITY_CONFIG_FILE))
      ? `the authority in ${dir} is not running (no ${ADMIN_URL_FILE} there)`
      : `no authority in ${dir}`;
    throw new CliError(
      `${why}: pass --admin-url URL (its admin listener), set SHUYU_ADMIN_URL, or point --dir at a running authority's directory` +
        (authoritiesUnderData().length > 0 ? ` (under ./data: ${authoritiesUnderData().join(', ')})` : ''),
      EXIT.usage,
    );
  }
  const keyFile = join(dir, ADMIN_KEY_FILE);
  const key =
    process.env.SHUYU_ADMIN_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!key) {
    throw new CliError(
      `no admin API key: set SHUYU_ADMIN_KEY or point --dir at the authority's directory`,
      EXIT.usage,
    );
  }
  return new AuthorityAdminClient(url, key);
}

function required(value: string | undefined, what: string, sub: string): string {
  if (!value) throw new CliError(`${what} is required; run "shuyu member ${sub} --help"`, EXIT.usage);
  return value;
}

function printApplication(out: Output, a: Application): void {
  const sectors = a.sectors.map((s) => `${s.sector}:${s.roles.join(',')}`).join(' ');
  out.line(`  ${a.id}  ${a.state.padEnd(8)} ${a.organisationName} (${a.registrationNumber})`);
  out.line(
    `      ${a.applicantDid}  ${sectors}${a.dataGradeClearance ? `  asks ${a.dataGradeClearance}` : ''}`,
  );
  out.line(`      submitted ${formatTime(a.submittedAt)}, contact ${a.contact}`);
}

function printMember(out: Output, m: Member): void {
  out.line(
    `  ${m.did}  ${m.state.padEnd(9)} ${m.organisationName}  ${m.sectors.map((s) => s.sector).join(',')}` +
      `${m.dataGradeClearance ? `  clearance ${m.dataGradeClearance}` : ''}${m.reason ? `  (${m.reason})` : ''}`,
  );
}

export async function memberCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof OPTIONS>(MEMBER_COMMAND, sub, args);
  const need = (value: string | undefined, what: string) => required(value, what, sub);
  const did = (value: string | undefined) => normaliseDid(need(value, 'DID'), (text) => out.error(text));
  try {
    switch (sub) {
      case 'list': {
        const client = adminClient(values);
        const pending = await client.applications('pending');
        const members = await client.members(values.state as MemberState | undefined);
        if (values.json) {
          out.line(JSON.stringify({ pending, members }, null, 2));
          return EXIT.ok;
        }
        out.line(`Applications awaiting a decision: ${pending.length}`);
        pending.forEach((a) => printApplication(out, a));
        out.line(`Members${values.state ? ` (${values.state})` : ''}: ${members.length}`);
        members.forEach((m) => printMember(out, m));
        return EXIT.ok;
      }
      case 'approve': {
        const id = need(positionals[0], 'APPLICATION_ID');
        const result = await adminClient(values).approve(id, {
          ...(values.grade ? { dataGradeClearance: values.grade } : {}),
          ...(values.role ? { role: values.role } : {}),
          ...(values.note ? { note: values.note } : {}),
        });
        out.line(`Approved ${result.member.organisationName} (${result.member.did}); issued:`);
        result.credentials.forEach((c) => out.line(`  ${c.type}  ${c.id}`));
        await collectForMember(result.member.did, values['connector-dir'], out);
        return EXIT.ok;
      }
      case 'reject': {
        const id = need(positionals[0], 'APPLICATION_ID');
        const application = await adminClient(values).reject(id, need(values.reason, '--reason'));
        out.line(`Rejected ${application.organisationName}'s application ${application.id}.`);
        return EXIT.ok;
      }
      case 'suspend':
      case 'revoke': {
        const member = did(positionals[0]);
        const client = adminClient(values);
        const reason = need(values.reason, '--reason');
        const changed =
          sub === 'suspend' ? await client.suspend(member, reason) : await client.revoke(member, reason);
        out.line(
          `${changed.organisationName} (${changed.did}) is now ${changed.state}; verifiers see it within their ` +
            'status-check interval (5 minutes by default).',
        );
        return EXIT.ok;
      }
      case 'reinstate': {
        const changed = await adminClient(values).reinstate(did(positionals[0]), values.note);
        out.line(`${changed.organisationName} (${changed.did}) is active again.`);
        return EXIT.ok;
      }
      default:
        return await apply(values, out);
    }
  } catch (error) {
    if (error instanceof AdminApiError || error instanceof AuthorityClientError) {
      const errors = (error.problem as { errors?: { pointer: string; reason: string }[] } | undefined)
        ?.errors;
      const fields = (errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
      const notMember =
        error.status === 404 && /member/i.test(error.message)
          ? `\nhint: "shuyu member list" shows the members' DIDs; a did:web port is written %3A (did:web:127.0.0.1%3A7710).`
          : '';
      throw new CliError(`${error.message}${fields}${notMember}`);
    }
    throw error;
  }
}

/** The connector directory on this machine whose DID is `did` (--connector-dir, else one under ./data). */
function memberDir(did: string, given: string | undefined): string | undefined {
  const candidates = given !== undefined ? [given] : connectorsUnderData();
  return candidates.find((dir) => {
    const config = readConfigFile<{ publicUrl?: string }>(join(dir, 'connector.json'));
    try {
      return config?.publicUrl !== undefined && urlToDidWeb(config.publicUrl) === did;
    } catch {
      return false;
    }
  });
}

/**
 * After an approval: the member's running connector on this machine collects its credentials at once;
 * otherwise the exact command to do so is printed.
 */
async function collectForMember(did: string, given: string | undefined, out: Output): Promise<void> {
  const dir = memberDir(did, given);
  if (dir !== undefined) {
    try {
      const types = await collectCredentials(dir);
      out.line(
        `Collected into the wallet of ${dir}: ${types.join(', ')} (see ${commandLine('wallet', 'list', '--dir', dir)}).`,
      );
      return;
    } catch (error) {
      out.line(`Not collected yet: ${(error as Error).message}`);
    }
  }
  out.line(
    `The member collects them with its running connector: ${commandLine('wallet', 'collect', '--dir', dir ?? 'CONNECTOR_DIR')}`,
  );
}

const need = (value: string | undefined, what: string) => required(value, what, 'apply');

function parseSector(value: string): { sector: string; roles: string[] } {
  const [sector, roles] = value.split(':');
  if (!sector || !roles)
    throw new CliError(`--sector ${value}: write SECTOR:ROLE[,ROLE], e.g. medical:hospital`, EXIT.usage);
  return { sector, roles: roles.split(',').filter(Boolean) };
}

async function apply(values: Values, out: Output): Promise<number> {
  const dir = connectorDir(values['connector-dir']);
  const required = (value: string | undefined, what: string) => need(value, what);
  const config = readConfigFile<{ publicUrl?: string; host?: string; port?: number; authorityUrl?: string }>(
    join(dir, 'connector.json'),
  );
  const publicUrl =
    config?.publicUrl ?? (config?.port ? `http://${config.host ?? '127.0.0.1'}:${config.port}` : undefined);
  if (!publicUrl) {
    throw new CliError(
      `${dir} holds no connector configuration (connector.json with publicUrl); start the connector first`,
    );
  }
  const authorityUrl = values.authority ?? config?.authorityUrl;
  if (!authorityUrl) throw new CliError('no authority URL: pass --authority URL', EXIT.usage);
  const identity = await openProcessIdentity(join(dir, 'keys'), publicUrl);
  const client = new AuthorityClient({ url: authorityUrl, signer: () => identity.signer() });
  const application = await client.apply({
    organisationName: required(values.organisation, '--organisation'),
    registrationNumber: required(values.registration, '--registration'),
    sectors: (values.sector ?? []).map(parseSector),
    contact: required(values.contact, '--contact'),
    ...(values.grade ? { dataGradeClearance: values.grade } : {}),
    // The DSP endpoint the federated catalog crawls; a started connector serves it under /dsp.
    connectorUrl: values['connector-url'] ?? `${publicUrl.replace(/\/+$/, '')}/dsp`,
  });
  if (values.json) out.line(JSON.stringify(application, null, 2));
  else {
    out.line(
      `Applied as ${identity.did}: application ${String(application.id)} is ${String(application.state)}.`,
    );
    out.line(
      `An admin decides it ("shuyu member list", then ${commandLine('member', 'approve', String(application.id), '--connector-dir', dir)} on the authority's machine);`,
    );
    out.line(`after approval: ${commandLine('wallet', 'collect', '--dir', dir)}`);
  }
  return EXIT.ok;
}
