// `shuyu credential verify FILE`: offline verification of a credential or presentation, check by check.
import { parseArgs } from 'node:util';
import {
  verifyCredentialOffline,
  verifyPresentationOffline,
  type CheckResult,
  type CredentialReport,
  type PresentationReport,
} from '../connector/identity/index.js';
import { CliError, EXIT, readJsonFile, readTextFile, type Output } from './io.js';

export const CREDENTIAL_HELP = `Usage:
  shuyu credential verify FILE [--trust DID]... [--did-document FILE]... [--status-list FILE]... [--at DATE-TIME] [--json]
      Verify a credential (vc+jwt or Data Integrity JSON) or a presentation (vp+jwt) without any network access.
      did:key needs nothing; for did:web issuers pass their DID documents. Without --trust the issuer is not
      judged, without --status-list revocation is not checked; the report says so. Exit 0 valid, 1 invalid.`;

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

export async function credentialCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') {
    out.line(CREDENTIAL_HELP);
    return sub === undefined || sub === 'help' ? (sub === undefined ? EXIT.usage : EXIT.ok) : EXIT.usage;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      trust: { type: 'string', multiple: true },
      'did-document': { type: 'string', multiple: true },
      'status-list': { type: 'string', multiple: true },
      at: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new CliError(`credential verify needs one FILE\n${CREDENTIAL_HELP}`, EXIT.usage);
  const at = values.at === undefined ? undefined : new Date(values.at);
  if (at && Number.isNaN(at.getTime()))
    throw new CliError(`--at ${values.at} is not a date-time`, EXIT.usage);
  const input = readSecured(file);
  const options = {
    trustedIssuers: values.trust ?? [],
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
