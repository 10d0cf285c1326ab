// `shuyu evidence export|verify|prove`: the connector's tamper-evident log, exported for others and
// verified offline (no network: the DID documents needed travel inside the file).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EvidenceLog,
  checkpointSignerFor,
  evidenceAlgorithmsFrom,
  evidenceHashOf,
  type CheckpointSigner,
  EVIDENCE_MIGRATIONS,
  EXPORT_FORMAT,
  exportEvidence,
  formatVerificationReport,
  PROOF_FORMAT,
  proveEntry,
  verifyEntryProof,
  verifyEvidenceExport,
} from '../connector/evidence/index.js';
import { openProcessIdentity } from '../connector/identity/index.js';
import { readConfigFile } from '../connector/process/config.js';
import { CONNECTOR_CONFIG_FILE, CONNECTOR_DATABASE_FILE } from '../connector/process/connector.js';
import type { Store } from '../connector/store/database.js';
import { connectorStoreExists, openConnectorStore } from '../connector/process/connector-store.js';
import { checkOutputFile, CliError, EXIT, formatTime, readJsonFile, type Output } from './io.js';
import { commandLine, CONNECTOR_DIR_FLAG, connectorDir } from './dirs.js';
import { managementClient } from './management-client.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags, type FlagValues } from './spec.js';

const DIR = CONNECTOR_DIR_FLAG;
const OUT = { out: { type: 'string', value: 'FILE', help: 'write to FILE instead of printing' } } as const;
const OPTIONS = {
  ...DIR,
  ...OUT,
  ...JSON_FLAG,
  from: { type: 'string', value: 'N', help: 'the first entry number' },
  to: { type: 'string', value: 'M', help: 'the entry number to stop before' },
  agreement: {
    type: 'string',
    value: 'ID',
    help: "the agreement's entries and those of its negotiation and transfers",
  },
  transfer: { type: 'string', value: 'ID', help: "one transfer's entries" },
  kind: {
    type: 'string',
    value: 'KIND',
    help: 'only entries of this kind (agreement, negotiation-state, transfer-state, data-access, duty)',
  },
  limit: { type: 'string', value: 'N', help: 'at most N entries (default 100, at most 1000)' },
  url: { type: 'string', value: 'URL', help: "the connector's URL (default: DIR/connector.json)" },
} as const satisfies Flags;

const pick = <K extends keyof typeof OPTIONS>(...keys: K[]): Pick<typeof OPTIONS, K> =>
  Object.fromEntries(keys.map((k) => [k, OPTIONS[k]])) as Pick<typeof OPTIONS, K>;

export const EVIDENCE_COMMAND: CommandGroup = {
  name: 'evidence',
  summary: 'the tamper-evident log: list, export, verify offline, prove one entry',
  subcommands: {
    list: {
      usage: '[--agreement ID | --transfer ID] [--kind KIND] [--from N] [--limit N] [--json]',
      summary:
        "The log's entries, optionally of one agreement (with its transfers) or one transfer, through the\n" +
        "running connector's management API; times in the local zone.",
      flags: pick('dir', 'url', 'agreement', 'transfer', 'kind', 'from', 'limit', 'json'),
    },
    export: {
      usage: '[--dir CONNECTOR_DIR] [--from N] [--to M] [--out FILE]',
      summary:
        'The evidence log (agreements, transfer states, data accesses, duties) with its checkpoints and the DID\n' +
        'documents needed to check them, as one JSON file.',
      flags: pick('dir', 'from', 'to', 'out'),
    },
    verify: {
      usage: 'FILE [--json]',
      summary:
        'Verify an export or an entry proof offline: every hash, the chain, the Merkle roots, the signatures.\n' +
        'Names the first entry that fails and why. Exit 0 valid, 1 not.',
      flags: JSON_FLAG,
    },
    prove: {
      usage: 'ENTRY [--dir CONNECTOR_DIR] [--out FILE]',
      summary:
        'A self-contained proof that entry number ENTRY is in the log (inclusion proof + signed checkpoint).',
      flags: pick('dir', 'out'),
    },
  },
};

async function openLog(dir: string): Promise<{
  log: EvidenceLog;
  db: Store;
  signer: () => CheckpointSigner;
  didDocument: () => object;
}> {
  const config = readConfigFile<{ publicUrl?: string; evidence?: { algorithms?: unknown } }>(
    join(dir, CONNECTOR_CONFIG_FILE),
  );
  if (!config?.publicUrl || !connectorStoreExists(dir)) {
    throw new CliError(
      `${dir} holds no started connector (${CONNECTOR_CONFIG_FILE}, ${CONNECTOR_DATABASE_FILE}); check --dir`,
    );
  }
  // The data space's algorithms decide the log's hash and the checkpoint key (connector.json, as the connector).
  const algorithms = evidenceAlgorithmsFrom(
    config.evidence?.algorithms,
    `evidence.algorithms in ${CONNECTOR_CONFIG_FILE}`,
  );
  const identity = await openProcessIdentity(join(dir, 'keys'), config.publicUrl, undefined, {
    sm2: algorithms === 'sm',
  });
  const db = await openConnectorStore(dir, EVIDENCE_MIGRATIONS);
  const log = await EvidenceLog.open(db, { logId: identity.did, hash: evidenceHashOf(algorithms) });
  return {
    log,
    db,
    signer: () => checkpointSignerFor(algorithms, identity),
    didDocument: () => identity.didDocument(),
  };
}

function write(out: Output, file: string | undefined, value: unknown, what: string): void {
  const text = JSON.stringify(value, null, 2) + '\n';
  if (file) {
    checkOutputFile(file);
    writeFileSync(file, text);
    out.line(`${what} written to ${file}`);
  } else out.line(text.trimEnd());
}

function seqNumber(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new CliError(`${what} must be an entry number (0, 1, 2, ...)`, EXIT.usage);
  return Number(value);
}

export async function evidenceCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof OPTIONS>(EVIDENCE_COMMAND, sub, args);
  const dir = () => connectorDir(values.dir);
  switch (sub) {
    case 'list':
      return list(values, dir(), out);
    case 'export': {
      const { log, db } = await openLog(dir());
      try {
        const from = seqNumber(values.from, '--from');
        const to = seqNumber(values.to, '--to');
        const document = await exportEvidence(log, {
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
        });
        write(out, values.out, document, `Evidence export of ${log.logId}`);
        return EXIT.ok;
      } finally {
        await db.close();
      }
    }
    case 'prove': {
      const seq = seqNumber(positionals[0], 'ENTRY');
      if (seq === undefined)
        throw new CliError(
          'evidence prove needs an ENTRY number; run "shuyu evidence prove --help"',
          EXIT.usage,
        );
      const { log, db, signer, didDocument } = await openLog(dir());
      try {
        const proof = await proveEntry(log, seq, { signer: signer(), didDocument: didDocument() });
        write(out, values.out, proof, `Proof of entry ${seq}`);
        return EXIT.ok;
      } finally {
        await db.close();
      }
    }
    default: {
      const file = positionals[0];
      if (!file)
        throw new CliError('evidence verify needs a FILE; run "shuyu evidence verify --help"', EXIT.usage);
      const document = readJsonFile(file) as { format?: unknown };
      const report =
        document?.format === PROOF_FORMAT
          ? await verifyEntryProof(document)
          : document?.format === EXPORT_FORMAT
            ? await verifyEvidenceExport(document)
            : undefined;
      if (!report) {
        throw new CliError(
          `${file} is neither an evidence export (${EXPORT_FORMAT}) nor a proof (${PROOF_FORMAT})`,
        );
      }
      out.line(values.json ? JSON.stringify(report, null, 2) : formatVerificationReport(report));
      return report.ok ? EXIT.ok : EXIT.invalid;
    }
  }
}

interface Entry {
  seq: number;
  at: string;
  kind: string;
  subject: string;
  data: Record<string, unknown> | null;
}

/** A few words on what an entry records: a state change, a duty's state, the declared usage. */
function entrySummary(e: Entry): string {
  const d = e.data ?? {};
  const words = (value: unknown): string => (Array.isArray(value) ? value.join(',') : String(value));
  if (typeof d.to === 'string') return ` ${typeof d.from === 'string' ? `${d.from} -> ` : ''}${d.to}`;
  if (typeof d.state === 'string') return ` ${d.state}`;
  if (d.purpose !== undefined || d.spatial !== undefined)
    return ` purpose ${words(d.purpose ?? '-')}, place ${words(d.spatial ?? '-')}`;
  return '';
}

/** `evidence list`: entries through the management API (filtered by the connector). */
async function list(values: FlagValues<typeof OPTIONS>, dir: string, out: Output): Promise<number> {
  if (values.agreement !== undefined && values.transfer !== undefined)
    throw new CliError('give --agreement or --transfer, not both', EXIT.usage);
  const query = new URLSearchParams();
  if (values.agreement !== undefined) query.set('agreementId', values.agreement);
  if (values.transfer !== undefined) query.set('transferId', values.transfer);
  if (values.kind !== undefined) query.set('kind', values.kind);
  const from = seqNumber(values.from, '--from');
  if (from !== undefined) query.set('from', String(from));
  const limit = seqNumber(values.limit, '--limit');
  if (limit !== undefined) query.set('limit', String(limit));
  const api = managementClient({ dir, url: values.url });
  const body = await api.call<{ logId: string; size: number; entries: Entry[] }>('GET', `/evidence?${query}`);
  if (values.json) {
    out.line(JSON.stringify(body, null, 2));
    return EXIT.ok;
  }
  const about = values.agreement
    ? ` of agreement ${values.agreement}`
    : values.transfer
      ? ` of transfer ${values.transfer}`
      : '';
  out.line(
    `${body.entries.length} entr${body.entries.length === 1 ? 'y' : 'ies'}${about} (the log holds ${body.size})`,
  );
  for (const e of body.entries) {
    out.line(`  #${e.seq}  ${formatTime(e.at)}  ${e.kind}${entrySummary(e)}  ${e.subject}`);
  }
  if (body.entries.length > 0) {
    const first = body.entries[0]?.seq ?? 0;
    out.line(`Prove one: ${commandLine('evidence', 'prove', String(first), '--dir', dir)}`);
  }
  return EXIT.ok;
}
