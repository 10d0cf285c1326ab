// The checkpoint signer of a data space on SM2/SM3: the process's DID with its SM2 key (published under
// assertionMethod in its DID document), signing compact JWS with alg "SM2" (crypto/sm2-jws.ts).
import type { Sm2Key } from '../../identity/index.js';
import { signSm2Jws } from '../crypto/sm2-jws.js';
import type { CheckpointSigner } from './sign.js';

export class Sm2CheckpointSigner implements CheckpointSigner {
  readonly keyId: string;

  constructor(
    readonly did: string,
    private readonly key: Sm2Key,
  ) {
    this.keyId = `${did}#${key.kid}`;
  }

  async signJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    return signSm2Jws({ ...header, kid: this.keyId }, payload, this.key);
  }

  toString(): string {
    return `Sm2CheckpointSigner(${this.keyId})`;
  }
}
