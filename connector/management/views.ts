// How processes look in the management API: the stored records as plain JSON, a transfer's data
// address also read into endpoint and authorization (wherever the peer put them), an agreement with
// the negotiation it came from.

import { readDataAddress, type DataAddress } from '../dsp/messages/index.js';
import type { NegotiationRecord } from '../negotiation/index.js';
import type { TransferRecord } from '../transfer/index.js';

export function negotiationView(record: NegotiationRecord): NegotiationRecord {
  return record;
}

export interface TransferView extends TransferRecord {
  /** The data address's endpoint and token, read from its top level or its endpointProperties. */
  readonly access?: { readonly endpoint?: string; readonly authorization?: string };
}

export function transferView(record: TransferRecord): TransferView {
  if (record.dataAddress === null) return record;
  const view = readDataAddress(record.dataAddress as unknown as DataAddress);
  return {
    ...record,
    access: {
      ...(view.endpoint !== undefined ? { endpoint: view.endpoint } : {}),
      ...(view.authorization !== undefined ? { authorization: view.authorization } : {}),
    },
  };
}

export interface AgreementView {
  readonly id: string;
  readonly agreement: Readonly<Record<string, unknown>>;
  readonly role: NegotiationRecord['role'];
  readonly counterPartyId: string;
  readonly datasetId: string | null;
  readonly negotiationId: string;
  readonly negotiationState: NegotiationRecord['state'];
  readonly agreedAt: string;
}

export function agreementView(record: NegotiationRecord): AgreementView | undefined {
  if (record.agreement === null || record.agreementId === null) return undefined;
  return {
    id: record.agreementId,
    agreement: record.agreement,
    role: record.role,
    counterPartyId: record.counterPartyId,
    datasetId: record.datasetId,
    negotiationId: record.id,
    negotiationState: record.state,
    agreedAt: typeof record.agreement.timestamp === 'string' ? record.agreement.timestamp : record.updatedAt,
  };
}
