// `shuyu member ...`: admins decide applications and manage members over the authority's admin API;
// participants apply with their connector's DID key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminApiError, AuthorityAdminClient } from '../catalog/authority/admin-client.js';
import {
  ADMIN_KEY_FILE,
  ADMIN_URL_FILE,
  adminUrlOf,
  AUTHORITY_CONFIG_FILE,
} from '../catalog/authority/process.js';
import type { Application, Member, MemberState } from '../catalog/authority/types.js';
import { openProcessIdentity } from '../connector/identity/index.js';
import { readConfigFile } from '../connector/process/config.js';
import { AuthorityClient, AuthorityClientError } from '../connector/wallet/authority-client.js';
import { DEFAULT_AUTHORITY_DIR } from './authority.js';
import { CliError, EXIT, type Output } from './io.js';

export const DEFAULT_CONNECTOR_DIR = 'data/connector';

export const MEMBER_HELP = `Usage (admins; the key comes from SHUYU_ADMIN_KEY or DIR/admin-api-key):
  shuyu member list [--state active|suspended|revoked] [--json]     applications awaiting a decision, and members
  shuyu member approve APPLICATION_ID [--grade GRADE] [--role participant|catalog|admin] [--note TEXT]
  shuyu member reject APPLICATION_ID --reason TEXT
  shuyu member suspend DID --reason TEXT
  shuyu member reinstate DID [--note TEXT]
  shuyu member revoke DID --reason TEXT
    common: [--dir AUTHORITY_DIR (default ${DEFAULT_AUTHORITY_DIR})] [--admin-url URL]
    (the authority's admin listener: --admin-url, else SHUYU_ADMIN_URL, else DIR/${ADMIN_URL_FILE} written by
    the running authority, else the fixed admin.port in DIR/${AUTHORITY_CONFIG_FILE})
Usage (participants, signing with the connector's DID key):
  shuyu member apply --organisation NAME --registration NUMBER --sector SECTOR:ROLE[,ROLE] [--sector ...]
                     --contact EMAIL-OR-PHONE [--grade GRADE] [--connector-dir DIR (default ${DEFAULT_CONNECTOR_DIR})]
                     [--authority URL]`;

const OPTIONS = {
  dir: { type: 'string', default: DEFAULT_AUTHORITY_DIR },
  authority: { type: 'string' },
  'admin-url': { type: 'string' },
  state: { type: 'string' },
  grade: { type: 'string' },
  role: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  organisation: { type: 'string' },
  registration: { type: 'string' },
  sector: { type: 'string', multiple: true },
  contact: { type: 'string' },
  'connector-dir': { type: 'string', default: DEFAULT_CONNECTOR_DIR },
  'connector-url': { type: 'string' },
} as const;

/** The authority's admin API: on its admin listener, never its public URL. */
export function adminClient(values: { dir: string; 'admin-url'?: string | undefined }): AuthorityAdminClient {
  const url = values['admin-url'] ?? process.env.SHUYU_ADMIN_URL ?? adminUrlOf(values.dir);
  if (!url) {
    const why = existsSync(join(values.dir, AUTHORITY_CONFIG_FILE))
      ? `the authority in ${values.dir} is not running (no ${ADMIN_URL_FILE} there)`
      : `no authority in ${values.dir}`;
    throw new CliError(
      `${why}: pass --admin-url URL (its admin listener), set SHUYU_ADMIN_URL, or point --dir at a running authority's directory`,
      EXIT.usage,
    );
  }
  const keyFile = join(values.dir, ADMIN_KEY_FILE);
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

function required(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`${what} is required\n${MEMBER_HELP}`, EXIT.usage);
  return value;
}

function printApplication(out: Output, a: Application): void {
  const sectors = a.sectors.map((s) => `${s.sector}:${s.roles.join(',')}`).join(' ');
  out.line(`  ${a.id}  ${a.state.padEnd(8)} ${a.organisationName} (${a.registrationNumber})`);
  out.line(
    `      ${a.applicantDid}  ${sectors}${a.dataGradeClearance ? `  asks ${a.dataGradeClearance}` : ''}`,
  );
  out.line(`      submitted ${a.submittedAt}, contact ${a.contact}`);
}

function printMember(out: Output, m: Member): void {
  out.line(
    `  ${m.did}  ${m.state.padEnd(9)} ${m.organisationName}  ${m.sectors.map((s) => s.sector).join(',')}` +
      `${m.dataGradeClearance ? `  clearance ${m.dataGradeClearance}` : ''}${m.reason ? `  (${m.reason})` : ''}`,
  );
}

export async function memberCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    out.line(MEMBER_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
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
        const id = required(positionals[0], 'APPLICATION_ID');
        const result = await adminClient(values).approve(id, {
          ...(values.grade ? { dataGradeClearance: values.grade } : {}),
          ...(values.role ? { role: values.role } : {}),
          ...(values.note ? { note: values.note } : {}),
        });
        out.line(`Approved ${result.member.organisationName} (${result.member.did}); issued:`);
        result.credentials.forEach((c) => out.line(`  ${c.type}  ${c.id}`));
        out.line('The member collects them with its connector (they appear in "shuyu wallet list").');
        return EXIT.ok;
      }
      case 'reject': {
        const id = required(positionals[0], 'APPLICATION_ID');
        const application = await adminClient(values).reject(id, required(values.reason, '--reason'));
        out.line(`Rejected ${application.organisationName}'s application ${application.id}.`);
        return EXIT.ok;
      }
      case 'suspend':
      case 'revoke': {
        const did = required(positionals[0], 'DID');
        const client = adminClient(values);
        const reason = required(values.reason, '--reason');
        const member =
          sub === 'suspend' ? await client.suspend(did, reason) : await client.revoke(did, reason);
        out.line(
          `${member.organisationName} (${member.did}) is now ${member.state}; verifiers see it within their ` +
            'status-check interval (5 minutes by default).',
        );
        return EXIT.ok;
      }
      case 'reinstate': {
        const member = await adminClient(values).reinstate(required(positionals[0], 'DID'), values.note);
        out.line(`${member.organisationName} (${member.did}) is active again.`);
        return EXIT.ok;
      }
      case 'apply':
        return await apply(values, out);
      default:
        throw new CliError(`unknown member command "${sub}"\n${MEMBER_HELP}`, EXIT.usage);
    }
  } catch (error) {
    if (error instanceof AdminApiError || error instanceof AuthorityClientError) {
      const errors = (error.problem as { errors?: { pointer: string; reason: string }[] } | undefined)
        ?.errors;
      const fields = (errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
      throw new CliError(`${error.message}${fields}`);
    }
    throw error;
  }
}

function parseSector(value: string): { sector: string; roles: string[] } {
  const [sector, roles] = value.split(':');
  if (!sector || !roles)
    throw new CliError(`--sector ${value}: write SECTOR:ROLE[,ROLE], e.g. medical:hospital`, EXIT.usage);
  return { sector, roles: roles.split(',').filter(Boolean) };
}

async function apply(
  values: {
    'connector-dir': string;
    authority?: string | undefined;
    organisation?: string | undefined;
    registration?: string | undefined;
    sector?: string[] | undefined;
    contact?: string | undefined;
    grade?: string | undefined;
    'connector-url'?: string | undefined;
    json?: boolean | undefined;
  },
  out: Output,
): Promise<number> {
  const dir = values['connector-dir'];
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
    out.line('An admin decides it ("shuyu member list" / "shuyu member approve ID" on the authority side).');
  }
  return EXIT.ok;
}
