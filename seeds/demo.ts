// `npm run demo`: a narrated story through the local data space, on fresh ports and a temporary data
// directory, that exits 0 only when every step did what it says:
//   discover → negotiate → transfer → verify evidence, and one refusal explained.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchTransfer } from '../connector/dataplane/index.js';
import { ManagementApiError, ManagementClient } from '../connector/management/client.js';
import { verifyEvidenceExport, type EvidenceAlgorithms } from '../connector/evidence/index.js';
import { startDataSpace, type RunningDataSpace, type RunningMember } from './dataspace.js';

export interface DemoOutput {
  line(text?: string): void;
}

type Json = Record<string, unknown>;

export class DemoStepError extends Error {}

async function call(
  member: RunningMember,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Json> {
  try {
    return await new ManagementClient(
      member.connector.management.url,
      member.connector.managementApiKey,
    ).call(method, path, body);
  } catch (error) {
    throw error instanceof ManagementApiError ? new DemoStepError(error.message) : error;
  }
}

async function waitFor(
  member: RunningMember,
  path: string,
  done: (record: Json) => boolean,
  what: string,
  ms = 20_000,
): Promise<Json> {
  const end = Date.now() + ms;
  for (;;) {
    const record = await call(member, 'GET', path);
    if (done(record)) return record;
    if (Date.now() > end)
      throw new DemoStepError(`timed out waiting for ${what} (last state ${String(record.state)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function find(space: RunningDataSpace, key: string): RunningMember {
  const member = space.members.find((m) => m.seed.key === key);
  if (!member) throw new DemoStepError(`seed member ${key} is missing`);
  return member;
}

const CLAIMS = 'urn:shuyu:dataset:medical:inpatient-claims-2025';
const VISITS = 'urn:shuyu:dataset:medical:outpatient-visits-2025';

export interface DemoOptions {
  /** The data space's evidence algorithms: "default" (SHA-256, Ed25519) or "sm" (SM3, SM2). */
  readonly evidenceAlgorithms?: EvidenceAlgorithms;
}

export async function runDemo(root: string, out: DemoOutput, options: DemoOptions = {}): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-demo-'));
  let space: RunningDataSpace | undefined;
  let step = 0;
  let failed = 0;
  const narrate = async (title: string, run: () => Promise<void>): Promise<void> => {
    step++;
    out.line('');
    out.line(`${step}. ${title}`);
    try {
      await run();
    } catch (error) {
      failed++;
      out.line(`   FAILED: ${(error as Error).message}`);
    }
  };
  try {
    out.line(
      'Shuyu demo: a commercial health insurer obtains settled-claims data from the municipal medical',
    );
    out.line(
      'insurance service centre, under a contract both can prove later; then tries data it may not use.',
    );
    await narrate('Start the data space (authority, federated catalog, 12 member connectors)', async () => {
      space = await startDataSpace({
        root,
        dataDir: dir,
        ephemeralPorts: true,
        ...(options.evidenceAlgorithms ? { evidenceAlgorithms: options.evidenceAlgorithms } : {}),
        progress: (line) => out.line(`   ${line}`),
      });
    });
    if (!space) throw new DemoStepError('the data space did not start');
    const insurer = find(space, 'commercial-insurer');
    const centre = find(space, 'medical-insurance-centre');
    const hospital = find(space, 'research-hospital');

    let offerId = '';
    await narrate('Discover: the insurer searches the federated catalog for "claims"', async () => {
      const running = space as RunningDataSpace;
      const token = await insurer.connector.requestTokenFor(running.authority?.did ?? '');
      const response = await fetch(`${running.authorityUrl}/catalog/v1/search?q=claims`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const result = (await response.json()) as { total: number; results: Json[] };
      if (!response.ok)
        throw new DemoStepError(`search answered ${response.status}: ${JSON.stringify(result)}`);
      const claims = result.results.find((d) => d.datasetId === CLAIMS);
      if (!claims) throw new DemoStepError('the settled-claims dataset is not in the federated catalog');
      const offer = (claims.offers as Json[])[0] ?? {};
      offerId = String(offer.id);
      out.line(
        `   ${result.total} result(s); "${String(claims.title)}" from ${String((claims.provider as Json).organisationName)}`,
      );
      for (const sentence of ((offer.summary as Json).sentences as string[]).slice(0, 2))
        out.line(`   offer: ${sentence}`);
    });

    let agreementId = '';
    await narrate('Negotiate: contract request → agreement (the centre decides automatically)', async () => {
      const started = await call(insurer, 'POST', '/negotiations', {
        counterPartyAddress: `${centre.connector.url}/dsp`,
        counterPartyId: centre.connector.did,
        datasetId: CLAIMS,
        offerId,
      });
      const done = await waitFor(
        insurer,
        `/negotiations/${encodeURIComponent(String(started.id))}`,
        (r) => r.state === 'FINALIZED' || r.state === 'TERMINATED',
        'the agreement',
      );
      if (done.state !== 'FINALIZED')
        throw new DemoStepError(`the negotiation ended ${String(done.state)}: ${String(done.reason)}`);
      agreementId = String(done.agreementId);
      out.line(`   FINALIZED: agreement ${agreementId}`);
    });

    await narrate(
      'Transfer: HTTP pull, declared for claims settlement in Beijing, checked at every access',
      async () => {
        const started = await call(insurer, 'POST', '/transfers', {
          agreementId,
          format: 'HttpData-PULL',
          purpose: 'insurance-claims-settlement',
          spatial: 'CN-BJ',
        });
        const ready = await waitFor(
          insurer,
          `/transfers/${encodeURIComponent(String(started.id))}`,
          (r) => r.state === 'STARTED' || r.state === 'TERMINATED',
          'the transfer to start',
        );
        if (ready.state !== 'STARTED')
          throw new DemoStepError(`the transfer ended ${String(ready.state)}: ${String(ready.reason)}`);
        const access = ready.access as { endpoint: string; authorization: string };
        const file = join(dir, 'inpatient-claims.csv');
        const fetched = await fetchTransfer({
          endpoint: access.endpoint,
          authorization: access.authorization,
          outFile: file,
          allowPrivateAddresses: true,
        });
        const expected = centre.seed.datasets.find((d) => d.asset.id === CLAIMS)?.asset.dataAddress as
          { data?: string } | undefined;
        const bytes = await readFile(file, 'utf8');
        if (bytes !== expected?.data)
          throw new DemoStepError('the bytes received differ from the provider’s dataset');
        out.line(
          `   received ${fetched.bytes} bytes, ${bytes.split('\n').length - 2} rows; first line: ${bytes.split('\n')[0]}`,
        );
        await call(insurer, 'POST', `/transfers/${encodeURIComponent(String(started.id))}/complete`);
        const duties = await call(insurer, 'GET', `/agreements/${encodeURIComponent(agreementId)}/duties`);
        for (const duty of (duties.duties as Json[]) ?? []) {
          out.line(
            `   duty for the insurer: ${String(duty.action)}${duty.deadline ? ` by ${String(duty.deadline)}` : ''} (${String(duty.state)})`,
          );
        }
      },
    );

    await narrate(
      'Verify the evidence: both signatures, the provider’s log offline, the authority’s countersignature',
      async () => {
        const signatures = await call(
          insurer,
          'GET',
          `/agreements/${encodeURIComponent(agreementId)}/signatures`,
        );
        if (!signatures.providerSignature || !signatures.consumerSignature) {
          throw new DemoStepError('the agreement lacks a signature from one side');
        }
        out.line(
          `   agreement signed by the centre and counter-signed by the insurer (digest ${String(signatures.digest).slice(0, 16)}…)`,
        );
        const made = await call(centre, 'POST', '/evidence/checkpoints');
        const checkpoint = made.checkpoint as Json;
        const countersignatures = (checkpoint.countersignatures as Json[] | undefined) ?? [];
        if (countersignatures.length === 0)
          throw new DemoStepError('the authority did not countersign the checkpoint');
        const algOf = (jws: unknown): string =>
          String(
            (JSON.parse(Buffer.from(String(jws).split('.')[0] ?? '', 'base64url').toString('utf8')) as Json)
              .alg,
          );
        const expected =
          options.evidenceAlgorithms === 'sm'
            ? { hash: 'sm3', alg: 'SM2' }
            : { hash: 'sha-256', alg: 'EdDSA' };
        const hash = String(checkpoint.hash ?? 'sha-256');
        const algs = [checkpoint.signature, countersignatures[0]?.signature].map(algOf);
        if (hash !== expected.hash || algs.some((alg) => alg !== expected.alg)) {
          throw new DemoStepError(
            `the checkpoint is hashed with ${hash} and signed with ${algs.join(' and ')}, not ${expected.hash} and ${expected.alg}`,
          );
        }
        out.line(
          `   checkpoint of ${String(checkpoint.size)} entries countersigned by the authority at ${String(countersignatures[0]?.time)}` +
            ` (tree hashed with ${hash}, signed and countersigned with ${algs[0]})`,
        );
        const exported = await call(centre, 'GET', '/evidence/export');
        const report = await verifyEvidenceExport(exported);
        if (!report.ok)
          throw new DemoStepError(`the export does not verify: ${report.firstFailure?.reason ?? ''}`);
        const kinds = [...new Set(((exported.entries as Json[]) ?? []).map((e) => String(e.kind)))];
        out.line(
          `   the centre's log verifies offline: ${(exported.entries as Json[]).length} entries (${kinds.join(', ')})`,
        );
        const tampered = structuredClone(exported) as { entries: Json[] };
        const victim = tampered.entries.find((e) => e.kind === 'data-access');
        if (victim) (victim.data as Json).bytes = 1;
        const caught = await verifyEvidenceExport(tampered);
        if (caught.ok) throw new DemoStepError('a tampered export verified');
        out.line(`   a tampered copy is caught: ${caught.firstFailure?.reason ?? ''}`);
      },
    );

    await narrate('A refusal, explained: the insurer asks for the hospital’s outpatient visits', async () => {
      const started = await call(insurer, 'POST', '/negotiations', {
        counterPartyAddress: `${hospital.connector.url}/dsp`,
        counterPartyId: hospital.connector.did,
        datasetId: VISITS,
        offerId: `urn:shuyu:offer:research-use:${VISITS}`,
      });
      const done = await waitFor(
        insurer,
        `/negotiations/${encodeURIComponent(String(started.id))}`,
        (r) => r.state === 'FINALIZED' || r.state === 'TERMINATED',
        'the decision',
      );
      if (done.state !== 'TERMINATED')
        throw new DemoStepError('the hospital agreed, but the insurer is no hospital');
      out.line(`   refused: ${String(done.reason)}`);
    });
  } finally {
    await space?.close();
    await rm(dir, { recursive: true, force: true });
  }
  out.line('');
  out.line(
    failed === 0
      ? `Demo complete: all ${step} steps succeeded.`
      : `Demo finished with ${failed} failed step(s).`,
  );
  return failed === 0;
}
