// The DataAddress a provider hands out when a pull transfer starts or resumes: an endpoint data reference
// (connector/dataplane/edr) whose short-lived token is bound to the agreement, this transfer and the
// consumer's DID, for `<connector url>/data/<transferId>`. Each start or resume issues a fresh one; the data
// plane refuses every token of a transfer that is not STARTED, whatever its expiry.

import { edrToDataAddress, issueEdr } from '../../dataplane/index.js';
import type { DataAddress } from '../../dsp/messages/index.js';
import type { Clock, DidSigner } from '../../identity/index.js';
import type { TransferRecord } from '../../transfer/index.js';

export interface EdrIssuerOptions {
  /** The connector's public URL: the data plane router is mounted at its root. */
  readonly publicUrl: string;
  readonly signer: () => DidSigner;
  /** Token lifetime; the consumer refreshes before it ends (default 300 s). */
  readonly lifetimeSeconds?: number;
  readonly clock?: Clock;
}

/** The DataAddress of a provider's pull transfer, with a fresh token. */
export async function pullDataAddress(
  record: Pick<TransferRecord, 'id' | 'agreementId' | 'counterPartyId'>,
  options: EdrIssuerOptions,
): Promise<DataAddress> {
  const signer = options.signer();
  const edr = await issueEdr(
    {
      agreementId: record.agreementId,
      transferId: record.id,
      consumerDid: record.counterPartyId,
      providerDid: signer.did,
      endpoint: options.publicUrl,
      ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
    },
    signer,
    options.clock ? { clock: options.clock } : {},
  );
  return edrToDataAddress(edr) as DataAddress;
}
