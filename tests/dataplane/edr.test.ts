// Endpoint data references: issued bound to agreement, transfer and consumer; verified against our
// own published keys (rotation keeps old tokens valid, retiring the key ends them), expiry, the
// bindings and the transfer's current state; refreshed before expiry only.
import { expect } from 'chai';
import { CompactSign } from 'jose';
import { Ed25519Key, createDidSigner } from '../../connector/identity/index.js';
import {
  EDC_AUTHORIZATION_PROPERTY,
  EDC_AUTH_TYPE_PROPERTY,
  EDC_ENDPOINT_PROPERTY,
} from '../../connector/dsp/messages/index.js';
import {
  EDR_TOKEN_TYPE,
  edrAudience,
  edrToDataAddress,
  issueEdr,
  refreshEdr,
  verifyEdr,
  type TransferView,
} from '../../connector/dataplane/index.js';
import {
  CONSUMER_DID,
  PROVIDER_DID,
  TestClock,
  agreementPolicy,
  identityIn,
  removeTempDirs,
  tempDir,
  thrown,
} from './helpers.js';

describe('dataplane/edr', () => {
  after(removeTempDirs);

  let identity: Awaited<ReturnType<typeof identityIn>>;
  const transfers = new Map<string, TransferView>();
  const clock = new TestClock();
  const lookupTransfer = (id: string) => transfers.get(id);
  const verifyOptions = (extra: object = {}) => ({ identity, lookupTransfer, clock: clock.now, ...extra });
  const issue = (transferId = 't1', lifetimeSeconds = 60) =>
    issueEdr(
      {
        agreementId: 'agreement-1',
        transferId,
        consumerDid: CONSUMER_DID,
        providerDid: PROVIDER_DID,
        endpoint: 'https://provider.example/dataplane/',
        lifetimeSeconds,
      },
      identity.signer(),
      { clock: clock.now },
    );

  before(async () => {
    identity = await identityIn(await tempDir());
    const policy = await agreementPolicy();
    for (const id of ['t1', 't2']) {
      transfers.set(id, {
        state: 'STARTED',
        agreementId: 'agreement-1',
        consumerDid: CONSUMER_DID,
        policy,
        dataAddress: { kind: 'inline', data: 'x' },
      });
    }
  });
  beforeEach(() => {
    clock.current = new Date('2026-06-01T08:00:00Z');
    for (const [id, t] of transfers) transfers.set(id, { ...t, state: 'STARTED', consumerDid: CONSUMER_DID });
  });

  it('issues a reference bound to agreement, transfer and consumer, and verifies it', async () => {
    const edr = await issue();
    expect(edr.endpoint).to.equal('https://provider.example/dataplane/data/t1');
    expect(edr.refreshEndpoint).to.equal('https://provider.example/dataplane/data/t1/refresh');
    expect(edr.authType).to.equal('bearer');
    expect(edr.expiresAt).to.equal('2026-06-01T08:01:00.000Z');
    const verified = await verifyEdr(edr.authorization, verifyOptions({ transferId: 't1' }));
    expect(verified.claims).to.include({
      iss: PROVIDER_DID,
      sub: CONSUMER_DID,
      aud: edrAudience('t1'),
      agreement_id: 'agreement-1',
      transfer_id: 't1',
    });
    expect(verified.keyId).to.equal(identity.signer().keyId);
    const address = edrToDataAddress(edr);
    expect(address.endpoint).to.equal(edr.endpoint);
    // The endpoint, token and auth type also where Eclipse EDC reads them: EDC's endpoint properties.
    const property = (name: string) => address.endpointProperties.find((p) => p.name === name)?.value;
    expect(property(EDC_ENDPOINT_PROPERTY)).to.equal(edr.endpoint);
    expect(property(EDC_AUTHORIZATION_PROPERTY)).to.equal(edr.authorization);
    expect(property(EDC_AUTH_TYPE_PROPERTY)).to.equal('bearer');
    expect(property('refreshEndpoint')).to.equal(edr.refreshEndpoint);
  });

  it('refuses a forged token: signed by another key, or with altered claims', async () => {
    const edr = await issue();
    const stranger = createDidSigner(PROVIDER_DID, await Ed25519Key.generate(new Date()));
    const forged = await stranger.signJwt(
      { typ: EDR_TOKEN_TYPE },
      {
        ...(await verifyEdr(edr.authorization, verifyOptions())).claims,
      },
    );
    expect((await thrown(() => verifyEdr(forged, verifyOptions()))).code).to.equal(
      'ERR_EDR_SIGNATURE_INVALID',
    );

    const [header, payload, signature] = edr.authorization.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 86_400 })).toString(
      'base64url',
    );
    expect(
      (await thrown(() => verifyEdr(`${header}.${altered}.${signature}`, verifyOptions()))).code,
    ).to.equal('ERR_EDR_SIGNATURE_INVALID');
  });

  it('refuses unsigned, wrongly typed and malformed tokens', async () => {
    const edr = await issue();
    const [, payload] = edr.authorization.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: EDR_TOKEN_TYPE })).toString('base64url')}.${payload}.`;
    expect((await thrown(() => verifyEdr(none, verifyOptions()))).code).to.equal('ERR_EDR_MALFORMED');
    const idToken = await identity.signer().signJwt({ typ: 'JWT' }, { iss: PROVIDER_DID });
    expect((await thrown(() => verifyEdr(idToken, verifyOptions()))).code).to.equal('ERR_EDR_MALFORMED');
    for (const junk of ['', 'abc', 'a.b.c', 'x'.repeat(10_000)]) {
      expect((await thrown(() => verifyEdr(junk, verifyOptions()))).code, junk.slice(0, 10)).to.equal(
        'ERR_EDR_MALFORMED',
      );
    }
  });

  it('refuses an expired token, saying to refresh before expiry', async () => {
    const edr = await issue('t1', 60);
    clock.advance(66_000);
    const error = await thrown(() => verifyEdr(edr.authorization, verifyOptions()));
    expect(error.code).to.equal('ERR_EDR_EXPIRED');
    expect(error.message).to.contain('refresh');
  });

  it("refuses another transfer's token (cross-transfer)", async () => {
    const edr = await issue('t2');
    const error = await thrown(() => verifyEdr(edr.authorization, verifyOptions({ transferId: 't1' })));
    expect(error.code).to.equal('ERR_EDR_BINDING_MISMATCH');
  });

  it('refuses a token whose consumer or agreement no longer matches the transfer', async () => {
    const edr = await issue();
    transfers.set('t1', {
      ...(transfers.get('t1') as TransferView),
      consumerDid: 'did:web:someone-else.example',
    });
    expect((await thrown(() => verifyEdr(edr.authorization, verifyOptions()))).code).to.equal(
      'ERR_EDR_BINDING_MISMATCH',
    );
    expect(
      (await thrown(() => verifyEdr(edr.authorization, verifyOptions({ agreementId: 'agreement-2' })))).code,
    ).to.equal('ERR_EDR_BINDING_MISMATCH');
  });

  for (const state of ['SUSPENDED', 'COMPLETED', 'TERMINATED', 'REQUESTED'] as const) {
    it(`refuses a valid token once the transfer is ${state}`, async () => {
      const edr = await issue();
      await verifyEdr(edr.authorization, verifyOptions());
      transfers.set('t1', { ...(transfers.get('t1') as TransferView), state });
      const error = await thrown(() => verifyEdr(edr.authorization, verifyOptions()));
      expect(error.code).to.equal('ERR_TRANSFER_NOT_ACTIVE');
      expect(error.details?.state).to.equal(state);
    });
  }

  it('refuses a token for a transfer the control plane no longer knows', async () => {
    const edr = await issue();
    const error = await thrown(() =>
      verifyEdr(edr.authorization, { ...verifyOptions(), lookupTransfer: () => undefined }),
    );
    expect(error.code).to.equal('ERR_TRANSFER_UNKNOWN');
  });

  it('accepts tokens signed before a key rotation until the old key is retired', async () => {
    const dir = await tempDir();
    const rotating = await identityIn(dir);
    const edr = await issueEdr(
      {
        agreementId: 'agreement-1',
        transferId: 't1',
        consumerDid: CONSUMER_DID,
        providerDid: PROVIDER_DID,
        endpoint: 'https://provider.example/dataplane',
      },
      rotating.signer(),
      { clock: clock.now },
    );
    const old = rotating.keys.activeKey.kid;
    await rotating.keys.rotate();
    const options = { identity: rotating, lookupTransfer, clock: clock.now };
    await verifyEdr(edr.authorization, options);
    await rotating.keys.retire(old);
    expect((await thrown(() => verifyEdr(edr.authorization, options))).code).to.equal(
      'ERR_EDR_SIGNATURE_INVALID',
    );
  });

  it('refreshes before expiry with the same bindings, not after, and not past the session', async () => {
    const edr = await issue('t1', 60);
    clock.advance(30_000);
    const refreshOptions = {
      ...verifyOptions({ transferId: 't1' }),
      signer: identity.signer(),
      endpoint: 'https://provider.example/dataplane',
      lifetimeSeconds: 60,
      maxSessionSeconds: 100,
    };
    const fresh = await refreshEdr(edr.authorization, refreshOptions);
    expect(fresh.authorization).to.not.equal(edr.authorization);
    expect(fresh.expiresAt).to.equal('2026-06-01T08:01:30.000Z');
    const verified = await verifyEdr(fresh.authorization, verifyOptions({ transferId: 't1' }));
    expect(verified.claims.agreement_id).to.equal('agreement-1');
    expect(verified.sessionStartedAt.toISOString()).to.equal('2026-06-01T08:00:00.000Z');

    clock.advance(50_000); // 80 s into the session: the new token is capped at the session's end (100 s)
    const capped = await refreshEdr(fresh.authorization, refreshOptions);
    expect(capped.expiresAt).to.equal('2026-06-01T08:01:40.000Z');
    clock.advance(25_000);
    expect((await thrown(() => refreshEdr(capped.authorization, refreshOptions))).code).to.equal(
      'ERR_EDR_EXPIRED',
    );

    const late = await issue('t1', 60);
    clock.advance(70_000);
    expect((await thrown(() => refreshEdr(late.authorization, refreshOptions))).code).to.equal(
      'ERR_EDR_EXPIRED',
    );
  });

  it('refuses to refresh once the transfer is suspended', async () => {
    const edr = await issue();
    transfers.set('t1', { ...(transfers.get('t1') as TransferView), state: 'SUSPENDED' });
    const error = await thrown(() =>
      refreshEdr(edr.authorization, {
        ...verifyOptions(),
        signer: identity.signer(),
        endpoint: 'https://p.example',
      }),
    );
    expect(error.code).to.equal('ERR_TRANSFER_NOT_ACTIVE');
  });

  it('refuses to issue for a provider DID that is not the signer', async () => {
    const error = await thrown(() =>
      issueEdr(
        {
          agreementId: 'a',
          transferId: 't',
          consumerDid: CONSUMER_DID,
          providerDid: 'did:web:other.example',
          endpoint: 'https://p.example',
        },
        identity.signer(),
      ),
    );
    expect(error.code).to.equal('ERR_EDR_BINDING_MISMATCH');
  });

  it('a token with a key id of another DID is refused even if the key matches', async () => {
    const edr = await issue();
    const claims = (await verifyEdr(edr.authorization, verifyOptions())).claims;
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({
        alg: 'EdDSA',
        typ: EDR_TOKEN_TYPE,
        kid: `did:web:other.example#${identity.keys.activeKey.kid}`,
      })
      .sign(identity.keys.activeKey.signingKey());
    expect((await thrown(() => verifyEdr(token, verifyOptions()))).code).to.equal(
      'ERR_EDR_SIGNATURE_INVALID',
    );
  });
});
