// Issuing a credential with an embedded Data Integrity proof (eddsa-rdfc-2022) through @digitalbazaar/vc.
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { systemClock, type Clock } from '../clock.js';
import { createDocumentLoader, type DocumentLoader } from '../document-loader/loader.js';
import { IssuanceError, describeError, findIdentityError } from '../errors.js';
import type { DidSigner } from '../signer.js';
import { isRecord } from '../util/json.js';

export interface IssueDataIntegrityOptions {
  clock?: Clock;
  /** Default: the bundled loader. Must serve every context the credential uses. */
  documentLoader?: DocumentLoader;
}

export async function issueCredentialDataIntegrity<C extends { issuer: string }>(
  credential: C,
  signer: DidSigner,
  options: IssueDataIntegrityOptions = {},
): Promise<Record<string, unknown>> {
  if (credential.issuer !== signer.did) {
    throw new IssuanceError(
      'ERR_ISSUANCE_INVALID_INPUT',
      `The credential issuer ${credential.issuer} is not the signer's DID ${signer.did}.`,
    );
  }
  const clock = options.clock ?? systemClock;
  const now = clock();
  const suite = new DataIntegrityProof({
    signer: await signer.dataIntegritySigner(),
    cryptosuite,
    date: now,
  });
  try {
    const secured = await vc.issue({
      // The library adds `proof` to the object it is given: hand it a copy.
      credential: structuredClone(credential) as Record<string, unknown>,
      suite,
      documentLoader: options.documentLoader ?? createDocumentLoader(),
      now,
    });
    if (!isRecord(secured)) throw new Error('the VC library returned no credential');
    return secured;
  } catch (error) {
    const ours = findIdentityError(error);
    if (ours) throw ours;
    throw new IssuanceError(
      'ERR_ISSUANCE_FAILED',
      `Data Integrity signing failed: ${describeError(error)}.`,
      {
        cause: error,
      },
    );
  }
}
