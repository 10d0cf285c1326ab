// Attack catalogue, data plane: pulling bytes without the right endpoint data reference (none, forged,
// tampered, another transfer's, a refresh token as an access token), after the transfer ended, or by
// reaching outside /data/:transferId. Each is refused with problem+json and a reason, serves no byte of
// the asset and changes no record.
import { expect } from 'chai';
import { management, pid, waitFor } from '../dsp/helpers.js';
import { request, type HttpResult } from '../authority/helpers.js';
import {
  expectProblem,
  leavesNoTrace,
  startAttackWorld,
  type AttackWorld,
  type StartedTransfer,
} from './world.js';

/** The seed asset's inline data (tests/dsp/helpers.ts assetInput). */
const ASSET_BYTES = 'visit,count\n2026-01,12\n';

describe('attacks: data plane', function () {
  this.timeout(60_000);
  let world: AttackWorld;
  let agreementId: string;
  let first: StartedTransfer;
  let second: StartedTransfer;

  const pull = (url: string, headers: Record<string, string> = {}): Promise<HttpResult> =>
    request(url, { headers });
  const expectNoBytes = (answer: HttpResult): void => {
    expect(JSON.stringify(answer.body)).to.not.include('2026-01,12');
  };

  before(async () => {
    world = await startAttackWorld();
    agreementId = await world.agreement();
    first = await world.pull(agreementId);
    second = await world.pull(agreementId);
  });
  after(async () => world?.close());

  it('serves the genuine holder (the baseline for every attack below)', async () => {
    const answer = await fetch(first.endpoint, {
      headers: { authorization: `Bearer ${first.authorization}` },
    });
    expect(answer.status).to.equal(200);
    expect(await answer.text()).to.equal(ASSET_BYTES);
  });

  it('refuses a pull without a token', async () => {
    const answer = await leavesNoTrace(world, () => pull(first.endpoint));
    expectProblem(answer, 401, 'invalid-token');
    expectNoBytes(answer);
  });

  it('refuses a token that is not a JWT, and another scheme', async () => {
    for (const header of ['Bearer not-a-token', 'Basic Zm9vOmJhcg==', `Bearer ${'a'.repeat(4000)}`]) {
      const answer = await leavesNoTrace(world, () => pull(first.endpoint, { authorization: header }));
      expect(answer.status, header.slice(0, 20)).to.equal(401);
      expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expectNoBytes(answer);
    }
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const [header, payload, signature] = first.authorization.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 86_400 })).toString('base64url')}.${signature}`;
    const answer = await leavesNoTrace(world, () =>
      pull(first.endpoint, { authorization: `Bearer ${tampered}` }),
    );
    expectProblem(answer, 401, 'invalid-token', /was not signed by this connector \(forged, altered/);
  });

  it('refuses a token with alg "none"', async () => {
    const [, payload] = first.authorization.split('.') as [string, string];
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const answer = await leavesNoTrace(world, () =>
      pull(first.endpoint, { authorization: `Bearer ${unsigned}` }),
    );
    expect(answer.status).to.equal(401);
    expectNoBytes(answer);
  });

  it('refuses one transfer’s token on another transfer’s endpoint', async () => {
    const answer = await leavesNoTrace(world, () =>
      pull(second.endpoint, { authorization: `Bearer ${first.authorization}` }),
    );
    expectProblem(answer, 401, 'token-binding-mismatch', /issued for another transfer/);
    expectNoBytes(answer);
  });

  it('refuses paths outside /data/:transferId (traversal, encoded separators)', async () => {
    const base = world.provider.url;
    for (const path of [
      '/data/..%2F..%2Fconnector.sqlite',
      '/data/%2e%2e/%2e%2e/keys',
      '/data/../management/v1/assets',
      `/data/${pid(first.providerPid)}/..%2F..%2Fmanagement-api-key`,
    ]) {
      const answer = await leavesNoTrace(world, () =>
        pull(`${base}${path}`, { authorization: `Bearer ${first.authorization}` }),
      );
      // A path segment that is not this transfer is another transfer (the token's binding refuses it) or none.
      expect(answer.status, path).to.be.oneOf([401, 404]);
      expect(answer.body.type, path).to.match(/\/(token-binding-mismatch|not-found)$/);
      expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
      expectNoBytes(answer);
    }
  });

  it('refuses methods the data plane does not offer on a pull endpoint', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const answer = await leavesNoTrace(world, () =>
        request(first.endpoint, {
          method,
          headers: { authorization: `Bearer ${first.authorization}`, 'content-type': 'text/plain' },
          body: 'overwrite',
        }),
      );
      expect(answer.status, method).to.equal(404);
      expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
    const again = await fetch(first.endpoint, {
      headers: { authorization: `Bearer ${first.authorization}` },
    });
    expect(await again.text()).to.equal(ASSET_BYTES);
  });

  it('refuses a range that cannot be satisfied with 416 and a reason', async () => {
    const answer = await leavesNoTrace(world, () =>
      pull(first.endpoint, { authorization: `Bearer ${first.authorization}`, range: 'bytes=5000-6000' }),
    );
    expectProblem(answer, 416, 'range-not-satisfiable');
  });

  describe('after the transfer is terminated', () => {
    before(async () => {
      const ended = await management(world.consumer).post(`/transfers/${pid(first.id)}/terminate`, {
        reason: 'done',
      });
      expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
      await waitFor('the provider to see the termination', async () => {
        const list = (await management(world.provider).get('/transfers')).body.transfers as Record<
          string,
          unknown
        >[];
        return list.find((t) => t.id === first.providerPid)?.state === 'TERMINATED' ? true : undefined;
      });
    });

    it('refuses the endpoint data reference it issued (EDR reuse after terminate)', async () => {
      const answer = await leavesNoTrace(world, () =>
        pull(first.endpoint, { authorization: `Bearer ${first.authorization}` }),
      );
      expectProblem(answer, 403, 'transfer-not-active', /The transfer is TERMINATED/);
      expectNoBytes(answer);
    });

    it('still serves the other, running transfer under the same agreement', async () => {
      const answer = await fetch(second.endpoint, {
        headers: { authorization: `Bearer ${second.authorization}` },
      });
      expect(answer.status).to.equal(200);
      expect(await answer.text()).to.equal(ASSET_BYTES);
    });
  });

  it('refuses a transfer of the agreement id as if it were a transfer id', async () => {
    const answer = await leavesNoTrace(world, () =>
      pull(`${world.provider.url}/data/${pid(agreementId)}`, {
        authorization: `Bearer ${second.authorization}`,
      }),
    );
    expectProblem(answer, 401, 'token-binding-mismatch');
    expectNoBytes(answer);
  });
});
