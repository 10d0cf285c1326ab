// How processes look in the management API: the stored records as plain JSON (with the step held for
// the operator, when the automation leaves the next one to it), a transfer's data
// address also read into endpoint and authorization (wherever the peer put them), an agreement with
// the negotiation it came from.

import { heldStep, type AutomationModes, type AutomationStep } from '../control-plane/index.js';
import { readDataAddress, type DataAddress } from '../dsp/messages/index.js';
import type { NegotiationRecord } from '../negotiation/index.js';
import type { TransferRecord } from '../transfer/index.js';

export interface NegotiationView extends NegotiationRecord {
  /** Our next step when the automation leaves it to the operator (a manual step); then pendingAction. */
  readonly heldStep?: AutomationStep;
}

export function negotiationView(record: NegotiationRecord, modes?: AutomationModes): NegotiationView {
  const held = modes && heldStep(modes, 'negotiation', record);
  return held === undefined ? record : { ...record, pendingAction: true, heldStep: held };
}

export interface TransferView extends TransferRecord {
  /** Our next step when the automation leaves it to the operator (a manual step). */
  readonly heldStep?: AutomationStep;
  /** The data address's endpoint and token, read from its top level or its endpointProperties. */
  readonly access?: { readonly endpoint?: string; readonly authorization?: string };
}

export function transferView(record: TransferRecord, modes?: AutomationModes): TransferView {
  const held = modes && heldStep(modes, 'transfer', record);
  const base = held === undefined ? record : { ...record, heldStep: held };
  if (record.dataAddress === null) return base;
  const view = readDataAddress(record.dataAddress as unknown as DataAddress);
  return {
    ...base,
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
