// Where transfer messages go and what the transfer's state looks like on the wire (see
// negotiation/wire.ts: same layout, `/transfers/:pid/...`).

import { buildTransferProcess, DspError, type TransferProcess } from '../../dsp/messages/index.js';
import type { TransferRecord } from '../../transfer/index.js';
import { peerUrl } from '../peers/address.js';
import { bothPids, peerPid } from '../pids.js';

export function transferBody(record: TransferRecord): TransferProcess {
  const pids = bothPids(record);
  if (pids === undefined) throw DspError.notFound('transfer process', record.id);
  return buildTransferProcess({ ...pids, state: record.state });
}

/** The peer's endpoint for this transfer + `path`, or undefined while its pid is unknown. */
export function transferPeerUrl(record: TransferRecord, ...path: string[]): string | undefined {
  const pid = peerPid(record);
  return pid === null ? undefined : peerUrl(record.counterPartyAddress, 'transfers', pid, ...path);
}
