// File assets whose symbolic link leads outside the files folder: refused at registration (400 with the
// pointer), and a link swapped in after registration is a 403 at pull that names no path; never a 500.
import { expect } from 'chai';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';

describe('hardening: file assets and symbolic links', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let outside: string;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    consumer = await startMember(space, 'consumer', hospitalApplication());
    outside = join(space.dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'not for sharing\n');
  });
  after(async () => space?.close());

  it('refuses at registration a file whose link leads outside the files folder, with the pointer', async () => {
    const link = join(provider.dataDir, 'files', 'escape.csv');
    await symlink(join(outside, 'secret.txt'), link);
    const refused = await management(provider).post(
      '/assets',
      assetInput('urn:dataset:escape', provider.did, { dataAddress: { kind: 'file', path: link } }),
    );
    expect(refused.status).to.equal(400);
    expect(refused.headers.get('content-type')).to.match(/application\/problem\+json/);
    const errors = refused.body.errors as { pointer: string; reason: string }[];
    expect(errors.map((e) => e.pointer)).to.deep.equal(['/dataAddress']);
    expect(errors[0]?.reason).to.match(/through a symbolic link\) outside the configured directories/);
    expect((await management(provider).get('/assets/urn%3Adataset%3Aescape')).status).to.equal(404);
  });

  it('answers 403 (not 500) at pull when the file was swapped for a link leading out', async () => {
    const file = join(provider.dataDir, 'files', 'swapped.csv');
    await writeFile(file, 'visit,count\n2026-01,12\n');
    const dataset = 'urn:dataset:swapped';
    await publish(
      provider,
      [assetInput(dataset, provider.did, { dataAddress: { kind: 'file', path: file } })],
      [
        {
          id: 'swap',
          assetSelector: { assetIds: [dataset] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    const started = await startNegotiation(consumer, provider, dataset, catalogOfferId('swap', dataset));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const agreed = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    const requested = await management(consumer).post('/transfers', {
      agreementId: agreed.agreementId,
      format: 'HttpData-PULL',
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const transfer = await waitForState(consumer, `/transfers/${pid(String(requested.body.id))}`, 'STARTED');
    const access = transfer.access as { endpoint: string; authorization: string };
    const get = () =>
      fetch(access.endpoint, { headers: { authorization: `Bearer ${access.authorization}` } });
    expect((await get()).status).to.equal(200);

    await rm(file);
    await symlink(join(outside, 'secret.txt'), file);
    const answer = await get();
    expect(answer.status).to.equal(403);
    expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
    const text = await answer.text();
    expect(JSON.parse(text)).to.include({ type: 'https://w3id.org/shuyu/v1/problems/data-source-refused' });
    expect(text).to.not.match(/outside\/|secret|swapped\.csv/);
  });
});
