// Where negotiation messages go and what the negotiation's state looks like on the wire.
// Provider endpoints hang below the provider's DSP base (`/negotiations/:providerPid/...`), consumer
// callbacks below the consumer's callbackAddress (`/negotiations/:consumerPid/...`); the record's
// counterPartyAddress is whichever of the two the peer is.

import { buildContractNegotiation, DspError, type ContractNegotiation } from '../../dsp/messages/index.js';
import type { NegotiationRecord } from '../../negotiation/index.js';
import { peerUrl } from '../peers/address.js';
import { bothPids, peerPid } from '../pids.js';

export function negotiationBody(record: NegotiationRecord): ContractNegotiation {
  const pids = bothPids(record);
  // Only before the peer's ACK is read can a pid be missing, and then the peer cannot ask yet.
  if (pids === undefined) throw DspError.notFound('negotiation', record.id);
  return buildContractNegotiation({ ...pids, state: record.state });
}

/** The peer's endpoint for this negotiation + `path`, or undefined while its pid is unknown. */
export function negotiationPeerUrl(record: NegotiationRecord, ...path: string[]): string | undefined {
  const pid = peerPid(record);
  return pid === null ? undefined : peerUrl(record.counterPartyAddress, 'negotiations', pid, ...path);
}
