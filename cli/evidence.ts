// `shuyu evidence export|verify|prove`: the connector's tamper-evident log, exported for others and
// verified offline (no network: the DID documents needed travel inside the file).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
import { CliError, EXIT, readJsonFile, type Output } from './io.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const EVIDENCE_HELP = `Usage:
  shuyu evidence export [--dir CONNECTOR_DIR (default ${DEFAULT_CONNECTOR_DIR})] [--from N] [--to M] [--out FILE]
      The evidence log (agreements, transfer states, data accesses, duties) with its checkpoints and the DID
      documents needed to check them, as one JSON file.
  shuyu evidence verify FILE [--json]
      Verify an export or an entry proof offline: every hash, the chain, the Merkle roots, the signatures.
      Names the first entry that fails and why. Exit 0 valid, 1 not.
  shuyu evidence prove ENTRY [--dir CONNECTOR_DIR] [--out FILE]
      A self-contained proof that entry number ENTRY is in the log (inclusion proof + signed checkpoint).`;

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

export async function evidenceCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  switch (sub) {
    case 'export': {
      const { log, db } = await openLog(values.dir);
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
        throw new CliError(`evidence prove needs an ENTRY number\n${EVIDENCE_HELP}`, EXIT.usage);
      const { log, db, signer, didDocument } = await openLog(values.dir);
      try {
        const proof = await proveEntry(log, seq, { signer: signer(), didDocument: didDocument() });
        write(out, values.out, proof, `Proof of entry ${seq}`);
        return EXIT.ok;
      } finally {
        await db.close();
      }
    }
    case 'verify': {
      const file = positionals[0];
      if (!file) throw new CliError(`evidence verify needs a FILE\n${EVIDENCE_HELP}`, EXIT.usage);
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
    default:
      out.line(EVIDENCE_HELP);
      return sub === 'help' ? EXIT.ok : EXIT.usage;
  }
}
