// `shuyu evidence export|verify|prove` on a connector directory with a real evidence log: a clean export
// verifies, a tampered one fails naming the entry, and an entry proof verifies on its own.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { EvidenceLog, EVIDENCE_MIGRATIONS } from '../../connector/evidence/index.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: Output = { line: (t = '') => lines.push(t), error: (t) => lines.push(t) };
  const code = await main(args, io);
  return { code, text: lines.join('\n') };
}

describe('cli: shuyu evidence', function () {
  this.timeout(20_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-evidence-cli-'));
    const publicUrl = 'http://127.0.0.1:7999';
    await writeFile(
      join(dir, 'connector.json'),
      JSON.stringify({ publicUrl, authorityUrl: 'http://127.0.0.1:7700' }),
    );
    const identity = await openProcessIdentity(join(dir, 'keys'), publicUrl);
    const db = await Database.open(join(dir, 'connector.sqlite'), EVIDENCE_MIGRATIONS);
    const log = await EvidenceLog.open(db, { logId: identity.did });
    await log.append('agreement', 'urn:agreement:1', { target: 'urn:dataset:visits', assignee: 'did:web:b' });
    for (const state of ['REQUESTED', 'STARTED', 'COMPLETED']) {
      await log.append('transfer-state', 'urn:transfer:1', { state });
    }
    await log.checkpoint(identity.signer(), { didDocument: identity.didDocument() });
    await db.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exports a log that verifies offline', async () => {
    const file = join(dir, 'export.json');
    expect((await run(['evidence', 'export', '--dir', dir, '--out', file])).code).to.equal(0);
    const verified = await run(['evidence', 'verify', file]);
    expect(verified.code, verified.text).to.equal(0);
    expect(verified.text).to.match(/Verifying export of did:web:127\.0\.0\.1%3A7999/);
  });

  it('names the entry of a tampered export and exits 1', async () => {
    const file = join(dir, 'export.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as { entries: { data: { state?: string } }[] };
    const entry = document.entries[2];
    if (entry) entry.data.state = 'SUSPENDED';
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, JSON.stringify(document));
    const verified = await run(['evidence', 'verify', tampered]);
    expect(verified.code).to.equal(1);
    expect(verified.text).to.match(/entry 2/i);
  });

  it('proves one entry with a document that verifies on its own', async () => {
    const file = join(dir, 'proof.json');
    expect((await run(['evidence', 'prove', '1', '--dir', dir, '--out', file])).code).to.equal(0);
    const verified = await run(['evidence', 'verify', file, '--json']);
    expect(verified.code, verified.text).to.equal(0);
    expect((JSON.parse(verified.text) as { ok: boolean }).ok).to.equal(true);
  });

  it('refuses a file that is not evidence, and a missing connector', async () => {
    const other = join(dir, 'connector.json');
    expect((await run(['evidence', 'verify', other])).text).to.match(/neither an evidence export/);
    expect((await run(['evidence', 'export', '--dir', join(dir, 'nope')])).text).to.match(
      /holds no started connector/,
    );
  });
});

describe('cli: shuyu evidence, on a connector of an SM2/SM3 data space', function () {
  this.timeout(20_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-evidence-cli-sm-'));
    const publicUrl = 'http://127.0.0.1:7998';
    await writeFile(
      join(dir, 'connector.json'),
      JSON.stringify({ publicUrl, authorityUrl: 'http://127.0.0.1:7700', evidence: { algorithms: 'sm' } }),
    );
    const identity = await openProcessIdentity(join(dir, 'keys'), publicUrl, undefined, { sm2: true });
    const db = await Database.open(join(dir, 'connector.sqlite'), EVIDENCE_MIGRATIONS);
    const log = await EvidenceLog.open(db, { logId: identity.did, hash: 'sm3' });
    for (const state of ['REQUESTED', 'STARTED', 'COMPLETED']) {
      await log.append('transfer-state', 'urn:transfer:sm', { state });
    }
    await db.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exports, proves (making an SM2 checkpoint) and verifies; a tampered proof names its entry', async () => {
    const proofFile = join(dir, 'proof.json');
    expect((await run(['evidence', 'prove', '2', '--dir', dir, '--out', proofFile])).code).to.equal(0);
    const proof = JSON.parse(await readFile(proofFile, 'utf8')) as {
      hash: string;
      checkpoint: { signature: string };
      entry: { data: { state: string } };
    };
    expect(proof.hash).to.equal('sm3');
    const header = JSON.parse(
      Buffer.from(proof.checkpoint.signature.split('.')[0] ?? '', 'base64url').toString(),
    );
    expect(header.alg).to.equal('SM2');
    const verified = await run(['evidence', 'verify', proofFile]);
    expect(verified.code, verified.text).to.equal(0);

    const exportFile = join(dir, 'export.json');
    expect((await run(['evidence', 'export', '--dir', dir, '--out', exportFile])).code).to.equal(0);
    const exported = await run(['evidence', 'verify', exportFile]);
    expect(exported.code, exported.text).to.equal(0);
    expect(exported.text).to.match(/hashed with sm3/);

    proof.entry.data.state = 'SUSPENDED';
    const tampered = join(dir, 'tampered-proof.json');
    await writeFile(tampered, JSON.stringify(proof));
    const refused = await run(['evidence', 'verify', tampered]);
    expect(refused.code).to.equal(1);
    expect(refused.text).to.match(/Entry 2 was modified/);
  });
});
