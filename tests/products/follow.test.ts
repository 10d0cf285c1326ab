// A registered product reaches the provider's DSP catalog by itself: while an application is pending, the
// connector asks the authority for its decision (productSyncIntervalMs), so nobody has to read the product
// list first. Real authority and connectors over HTTP, real SQLite.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { bankApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, startMember, waitFor } from '../dsp/helpers.js';
import { productDescription, startProvider, VISITS } from './helpers.js';

const REGISTRATION = 'https://w3id.org/shuyu/v1#registration';

describe('data-product registration: the provider follows its pending applications', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startProvider(space, { productSyncIntervalMs: 100 });
    consumer = await startMember(space, 'bank', bankApplication());
  });
  after(async () => {
    await space?.close();
  });

  it('puts the registration on the DSP dataset after approval, with no read of the product list', async () => {
    const applied = await management(provider).post('/products', productDescription());
    expect(applied.status, JSON.stringify(applied.body)).to.equal(201);
    const datasetPath = `/catalog/datasets/${encodeURIComponent(VISITS)}`;
    const before = await dsp(provider, datasetPath, { caller: consumer });
    expect(before.body[REGISTRATION]).to.equal(undefined);

    const approved = await space.admin('POST', `/products/${String(applied.body.id)}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const productId = String(approved.body.productId);
    const registration = await waitFor('the registration on the provider’s DSP dataset', async () => {
      const dataset = await dsp(provider, datasetPath, { caller: consumer });
      return dataset.body[REGISTRATION] as Record<string, unknown> | undefined;
    });
    expect(registration[`https://w3id.org/shuyu/v1#productId`]).to.equal(productId);
  });
});
