// The Ed25519 fast path signs and verifies exactly what jose does: each verifies the other's tokens, and
// the fast path refuses what jose refuses (another alg, "crit", a flipped bit).
import { expect } from 'chai';
import { CompactSign, compactVerify } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { hasValidSignature, signJwt } from '../../connector/identity/util/jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const payload = { iss: 'did:web:a.example', n: 1 };
const encode = (value: object): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('identity: EdDSA JWS fast path and jose agree', () => {
  it('jose verifies what the fast path signs, and the fast path verifies what jose signs', async () => {
    const ours = await signJwt({ typ: 'JWT', kid: 'k' }, payload, privateKey, 'EdDSA');
    const verified = await compactVerify(ours, publicKey, { algorithms: ['EdDSA'] });
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).to.deep.equal(payload);
    expect(verified.protectedHeader).to.deep.equal({ typ: 'JWT', kid: 'k', alg: 'EdDSA' });

    const theirs = await new CompactSign(encode(payload))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(privateKey);
    expect(await hasValidSignature(theirs, publicKey, 'EdDSA')).to.equal(true);
  });

  it('refuses a flipped bit, a "crit" header, another alg and another key', async () => {
    const token = await signJwt({}, payload, privateKey, 'EdDSA');
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(
      await hasValidSignature(`${h}.${p}.${flipped.toString('base64url')}`, publicKey, 'EdDSA'),
    ).to.equal(false);
    const crit = await new CompactSign(encode(payload))
      .setProtectedHeader({ alg: 'EdDSA', crit: ['exp'], exp: 1 } as never)
      .sign(privateKey)
      .catch(() => undefined);
    if (crit) expect(await hasValidSignature(crit, publicKey, 'EdDSA')).to.equal(false);
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.${s}`;
    expect(await hasValidSignature(noneAlg, publicKey, 'EdDSA')).to.equal(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(await hasValidSignature(token, other, 'EdDSA')).to.equal(false);
  });
});
