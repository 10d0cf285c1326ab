// What this connector itself does in a negotiation, as consumer or provider: each action checks the
// state table, persists the new state and enqueues the message in one transaction. The operator calls
// them through the management API; the automation (automation.ts) calls agree, finalize, verify and
// terminate on its own.

import { randomUUID } from 'node:crypto';
import {
  buildContractAgreementMessage,
  buildContractAgreementVerificationMessage,
  buildContractNegotiationEventMessage,
  buildContractNegotiationTerminationMessage,
  buildContractOfferMessage,
  buildContractRequestMessage,
  type MessageOffer,
} from '../../dsp/messages/index.js';
import {
  ProcessError,
  sent,
  type NegotiationChanges,
  type NegotiationMessage,
  type NegotiationRecord,
} from '../../negotiation/index.js';
import { cancelPending } from '../../outbox/index.js';
import type { Queries } from '../../store/database.js';
import type { ControlPlaneContext } from '../context.js';
import { checkedPolicy, operatorPeerAddress, outgoing, reachable } from '../outgoing.js';
import { peerUrl } from '../peers/address.js';
import { sendDsp } from '../peers/outbound.js';
import { bothPids, type MessagePids } from '../pids.js';
import { buildAgreement } from './agreement.js';
import { negotiationPeerUrl } from './wire.js';

export interface StartNegotiation {
  /** The provider's DSP base URL. */
  readonly counterPartyAddress: string;
  /** The provider's participant id (DID). */
  readonly counterPartyId: string;
  readonly datasetId: string;
  /** The offer as the provider's catalog shows it (no target). */
  readonly offer: Record<string, unknown>;
}

export class NegotiationActions {
  constructor(private readonly ctx: ControlPlaneContext) {}

  // ---- consumer ----

  /** Opens a negotiation with a provider: ContractRequestMessage to <address>/negotiations/request. */
  async start(input: StartNegotiation): Promise<NegotiationRecord> {
    const { ctx } = this;
    const address = operatorPeerAddress(ctx.hostPolicy, input.counterPartyAddress);
    const offer = await this.messageOffer(input.offer, input.datasetId, input.counterPartyId);
    const id = `urn:uuid:${randomUUID()}`;
    const message = outgoing(() =>
      buildContractRequestMessage({ consumerPid: id, callbackAddress: ctx.dspBase, offer }),
    );
    const record = await ctx.db.transaction(async (tx) => {
      const created = await ctx.negotiations.create(
        {
          id,
          role: 'consumer',
          counterPartyId: input.counterPartyId,
          counterPartyAddress: address,
          datasetId: input.datasetId,
          offer,
        },
        sent('ContractRequestMessage'),
        { tx },
      );
      await sendDsp(tx, id, peerUrl(address, 'negotiations', 'request'), message);
      return created;
    });
    ctx.committed('negotiation', id);
    return record;
  }

  /** Consumer counter-request in OFFERED: proposes other terms. */
  async request(id: string, policy: unknown): Promise<NegotiationRecord> {
    const current = await this.mustGet(id);
    const offer = await this.messageOffer(policy, current.datasetId ?? '', current.counterPartyId);
    return this.act(
      id,
      'ContractRequestMessage',
      { offer, pendingAction: false },
      (pids) => buildContractRequestMessage({ ...pids, offer }),
      ['request'],
    );
  }

  /** Consumer accepts the provider's offer. */
  accept(id: string): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractNegotiationEventMessage:ACCEPTED',
      { pendingAction: false },
      (pids) => buildContractNegotiationEventMessage({ ...pids, eventType: 'ACCEPTED' }),
      ['events'],
    );
  }

  /** Consumer confirms the agreement it received. */
  verify(id: string): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractAgreementVerificationMessage',
      { pendingAction: false },
      (pids) => buildContractAgreementVerificationMessage(pids),
      ['agreement', 'verification'],
    );
  }

  // ---- provider ----

  /** Provider offer or counter-offer in REQUESTED: the current terms, or `policy` instead. */
  async offer(id: string, policy?: unknown): Promise<NegotiationRecord> {
    const current = await this.mustGet(id);
    const terms = policy === undefined ? current.offer : policy;
    const offer = await this.messageOffer(terms, current.datasetId ?? '', this.ctx.did);
    return this.act(
      id,
      'ContractOfferMessage',
      { offer, pendingAction: false, reason: null },
      (pids) => buildContractOfferMessage({ ...pids, offer }),
      ['offers'],
    );
  }

  /** Provider agrees (REQUESTED or ACCEPTED): the agreement goes to the consumer. */
  async agree(id: string): Promise<NegotiationRecord> {
    const current = await this.mustGet(id);
    const agreement = buildAgreement(current, this.ctx.did, this.ctx.clock());
    const changes = { agreement, agreementId: agreement['@id'], pendingAction: false, reason: null };
    return this.act(
      id,
      'ContractAgreementMessage',
      changes,
      (pids) => buildContractAgreementMessage({ ...pids, agreement }),
      ['agreement'],
      current.version,
    );
  }

  /** Provider confirms the consumer's verification: FINALIZED. */
  finalize(id: string): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractNegotiationEventMessage:FINALIZED',
      {},
      (pids) => buildContractNegotiationEventMessage({ ...pids, eventType: 'FINALIZED' }),
      ['events'],
    );
  }

  // ---- both ----

  /** Ends the negotiation with a reason; the peer is told when it can be addressed. */
  async terminate(id: string, reason: string, code = 'terminated'): Promise<NegotiationRecord> {
    const { ctx } = this;
    const record = await ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      // Messages still waiting (a retried request) would only arrive after the termination.
      await cancelPending(tx, id, `negotiation terminated: ${reason}`);
      const next = await ctx.negotiations.transition(id, sent('ContractNegotiationTerminationMessage'), {
        tx,
        expectedVersion: current.version,
        changes: { reason, pendingAction: false },
      });
      const url = negotiationPeerUrl(next, 'termination');
      const pids = bothPids(next);
      if (url !== undefined && pids !== undefined) {
        const message = buildContractNegotiationTerminationMessage({ ...pids, code, reason: [reason] });
        await sendDsp(tx, id, url, message);
      }
      return next;
    });
    ctx.committed('negotiation', id);
    return record;
  }

  /**
   * One transition we send: checks the table, stores `changes`, enqueues the message built from the new
   * record to the peer's endpoint `path`.
   */
  private async act(
    id: string,
    message: NegotiationMessage,
    changes: NegotiationChanges,
    build: (pids: MessagePids) => object,
    path: readonly string[],
    expectedVersion?: number,
  ): Promise<NegotiationRecord> {
    const { ctx } = this;
    const record = await ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      const next = await ctx.negotiations.transition(id, sent(message), {
        tx,
        expectedVersion: expectedVersion ?? current.version,
        changes,
      });
      const url = reachable(negotiationPeerUrl(next, ...path), 'negotiation');
      // The URL names the peer's pid, so both pids are known here.
      const pids = bothPids(next) as MessagePids;
      await sendDsp(
        tx,
        id,
        url,
        outgoing(() => build(pids)),
      );
      return next;
    });
    ctx.committed('negotiation', id);
    return record;
  }

  /** The offer as it travels in a negotiation message: an ODRL Offer of the provider on the dataset. */
  private async messageOffer(policy: unknown, datasetId: string, provider: string): Promise<MessageOffer> {
    const checked = await checkedPolicy(policy, '/offer');
    return {
      ...checked,
      '@id': typeof checked['@id'] === 'string' ? checked['@id'] : `urn:uuid:${randomUUID()}`,
      '@type': 'Offer',
      target: datasetId,
      assigner: provider,
    } as unknown as MessageOffer; // the builder checks the shape against the DSP schema
  }

  private async mustGet(id: string): Promise<NegotiationRecord> {
    const record = await this.ctx.negotiations.get(id);
    if (!record) throw new ProcessError('ERR_NOT_FOUND', `no negotiation ${id}`);
    return record;
  }

  private async get(tx: Queries, id: string): Promise<NegotiationRecord> {
    const record = await this.ctx.negotiations.get(id, { tx });
    if (!record) throw new ProcessError('ERR_NOT_FOUND', `no negotiation ${id}`);
    return record;
  }
}
