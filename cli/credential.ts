// `shuyu credential verify FILE`: offline verification of a credential or presentation, check by check.
import {
  verifyCredentialOffline,
  verifyPresentationOffline,
  type CheckResult,
  type CredentialReport,
  type PresentationReport,
} from '../connector/identity/index.js';
import { normaliseDid } from './did.js';
import { CliError, EXIT, readJsonFile, readTextFile, type Output } from './io.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags } from './spec.js';

const OPTIONS = {
  trust: {
    type: 'string',
    value: 'DID',
    multiple: true,
    help: 'an issuer to trust (did:web host:port is accepted)',
  },
  'did-document': { type: 'string', value: 'FILE', multiple: true, help: "a did:web issuer's DID document" },
  'status-list': {
    type: 'string',
    value: 'FILE',
    multiple: true,
    help: 'a status list credential, to check revocation',
  },
  at: { type: 'string', value: 'DATE-TIME', help: 'verify as at this time' },
  ...JSON_FLAG,
} as const satisfies Flags;

export const CREDENTIAL_COMMAND: CommandGroup = {
  name: 'credential',
  summary: 'verify a credential or presentation offline, check by check',
  subcommands: {
    verify: {
      usage:
        'FILE [--trust DID]... [--did-document FILE]... [--status-list FILE]... [--at DATE-TIME] [--json]',
      summary:
        'Verify a credential (vc+jwt or Data Integrity JSON) or a presentation (vp+jwt) without any network access.\n' +
        'did:key needs nothing; for did:web issuers pass their DID documents. Without --trust the issuer is not\n' +
        'judged, without --status-list revocation is not checked; the report says so. Exit 0 valid, 1 invalid.',
      flags: OPTIONS,
    },
  },
};

const MARK: Record<CheckResult['outcome'], string> = {
  passed: 'ok  ',
  failed: 'FAIL',
  skipped: 'skip',
  'not-reached': '    ',
};

function printChecks(out: Output, checks: readonly CheckResult[], indent: string): void {
  for (const c of checks) {
    const detail = c.outcome === 'not-reached' ? 'not reached' : c.detail;
    out.line(`${indent}${MARK[c.outcome]} ${c.check}${detail ? `: ${detail}` : ''}`);
  }
}

function printCredential(out: Output, report: CredentialReport, indent = '  '): void {
  out.line(`${indent}${report.type ?? 'credential'}${report.format ? ` (${report.format})` : ''}`);
  if (report.issuer) out.line(`${indent}  issuer  ${report.issuer}`);
  if (report.subject) out.line(`${indent}  subject ${report.subject}`);
  printChecks(out, report.checks, `${indent}  `);
}

/** A file holds a compact JWT (text) or a JSON credential. */
function readSecured(file: string): string | Record<string, unknown> {
  const text = readTextFile(file).trim();
  if (text.startsWith('{')) {
    const value = readJsonFile(file);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new CliError(`${file} is not a JSON object`);
    return value as Record<string, unknown>;
  }
  return text.replace(/^"|"$/g, '');
}

function isPresentationJwt(value: string | Record<string, unknown>): value is string {
  if (typeof value !== 'string') return false;
  try {
    const header = JSON.parse(Buffer.from(value.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      typ?: unknown;
    };
    return header.typ === 'vp+jwt';
  } catch {
    return false;
  }
}

export async function credentialCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof OPTIONS>(CREDENTIAL_COMMAND, sub, args);
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new CliError('credential verify needs one FILE; run "shuyu credential verify --help"', EXIT.usage);
  const at = values.at === undefined ? undefined : new Date(values.at);
  if (at && Number.isNaN(at.getTime()))
    throw new CliError(`--at ${values.at} is not a date-time`, EXIT.usage);
  const input = readSecured(file);
  const options = {
    trustedIssuers: (values.trust ?? []).map((did) => normaliseDid(did, (text) => out.error(text))),
    didDocuments: (values['did-document'] ?? []).map((f) => readJsonFile(f) as Record<string, unknown>),
    statusLists: (values['status-list'] ?? []).map(readSecured),
    ...(at ? { clock: () => at } : {}),
  };
  const report: CredentialReport | PresentationReport = isPresentationJwt(input)
    ? await verifyPresentationOffline(input, options)
    : await verifyCredentialOffline(input, options);
  if (values.json) {
    out.line(JSON.stringify({ file, ...report }, null, 2));
  } else {
    out.line(`${file}: ${report.valid ? 'VALID' : 'INVALID'}${report.code ? ` (${report.code})` : ''}`);
    if (report.kind === 'presentation') {
      out.line(`  presentation by ${report.holder ?? '?'}`);
      printChecks(out, report.checks, '  ');
      report.credentials.forEach((c) => printCredential(out, c, '    '));
    } else printCredential(out, report);
  }
  return report.valid ? EXIT.ok : EXIT.invalid;
}
