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
  type Agreement,
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
import { DSP_OFFER_PREFIX, dspOfferId } from '../../assets/index.js';
import { HttpProblem } from '../../http/problem.js';
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

export interface OfferNegotiation {
  /** The consumer's DSP base URL (its initial offer goes to <address>/negotiations/offers). */
  readonly counterPartyAddress: string;
  /** The consumer's participant id (DID). */
  readonly counterPartyId: string;
  /** One of our datasets. */
  readonly datasetId: string;
  /** One of our offers on it: the offer's id (as in /offers) or its catalog id (urn:shuyu:offer:...). */
  readonly offerId?: string;
  /** Or the terms inline (an ODRL policy, checked by the policy engine). */
  readonly offer?: Record<string, unknown>;
}

/** Offers whose checked wire form is remembered; beyond that the memory starts over. */
const MAX_REMEMBERED_POLICIES = 500;

export class NegotiationActions {
  private readonly policies = new Map<string, Record<string, unknown>>();

  constructor(private readonly ctx: ControlPlaneContext) {}

  // ---- consumer ----

  /** Opens a negotiation with a provider: ContractRequestMessage to <address>/negotiations/request. */
  async start(input: StartNegotiation): Promise<NegotiationRecord> {
    const offer = await this.messageOffer(input.offer, input.datasetId, input.counterPartyId);
    return this.open(input, offer);
  }

  /**
   * Opens a negotiation with the offer exactly as given, already in its wire form (only the DSP schema
   * checks it; the policy engine does not rewrite it). For conformance runs, whose ids the test kit
   * chooses and expects back verbatim (they need not be IRIs).
   */
  startVerbatim(
    input: Omit<StartNegotiation, 'offer'> & { readonly offer: MessageOffer },
  ): Promise<NegotiationRecord> {
    return this.open(input, input.offer);
  }

  private async open(
    input: Omit<StartNegotiation, 'offer'>,
    offer: MessageOffer,
  ): Promise<NegotiationRecord> {
    const { ctx } = this;
    const address = operatorPeerAddress(ctx.hostPolicy, input.counterPartyAddress);
    const id = `urn:uuid:${randomUUID()}`;
    const message = outgoing(() =>
      buildContractRequestMessage({ consumerPid: id, callbackAddress: ctx.dspBase, offer }),
    );
    const [record, queued] = await ctx.db.transaction(async (tx) => {
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
      return [created, await sendDsp(tx, created, peerUrl(address, 'negotiations', 'request'), message)];
    });
    ctx.committed('negotiation', id, { record, queued: [queued] });
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

  /** Consumer confirms the agreement it received. `known`: see act. */
  verify(id: string, known?: NegotiationRecord): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractAgreementVerificationMessage',
      { pendingAction: false },
      (pids) => buildContractAgreementVerificationMessage(pids),
      ['agreement', 'verification'],
      known,
    );
  }

  // ---- provider ----

  /**
   * Opens a negotiation with a consumer (DSP 2025-1 provider-initiated): ContractOfferMessage to
   * <address>/negotiations/offers; the consumer's ACK names its pid (delivery.ts).
   */
  async offerTo(input: OfferNegotiation): Promise<NegotiationRecord> {
    const { ctx } = this;
    const address = operatorPeerAddress(ctx.hostPolicy, input.counterPartyAddress);
    const offer = await this.ownOffer(input);
    const id = `urn:uuid:${randomUUID()}`;
    const message = outgoing(() =>
      buildContractOfferMessage({ providerPid: id, callbackAddress: ctx.dspBase, offer }),
    );
    const record = await ctx.db.transaction(async (tx) => {
      const created = await ctx.negotiations.create(
        {
          id,
          role: 'provider',
          counterPartyId: input.counterPartyId,
          counterPartyAddress: address,
          datasetId: input.datasetId,
          offer,
        },
        sent('ContractOfferMessage'),
        { tx },
      );
      await sendDsp(tx, created, peerUrl(address, 'negotiations', 'offers'), message);
      return created;
    });
    ctx.committed('negotiation', id, { record });
    return record;
  }

  /** The terms of a provider-initiated offer: one of our catalog offers on the dataset, or inline terms. */
  private async ownOffer(input: OfferNegotiation): Promise<MessageOffer> {
    const { ctx } = this;
    if (input.offer === undefined) {
      const offerId = input.offerId ?? '';
      const catalogId = offerId.startsWith(DSP_OFFER_PREFIX) ? offerId : dspOfferId(offerId, input.datasetId);
      const found = await ctx.catalog.offerById(catalogId);
      if (found === undefined || found.asset.id !== input.datasetId) {
        throw new HttpProblem(
          404,
          'offer-not-found',
          `no offer ${offerId} of ours on dataset ${input.datasetId}`,
          [{ pointer: '/offerId', reason: 'must be one of our offers that selects the dataset' }],
        );
      }
      return { ...found.dspOffer, target: input.datasetId } as unknown as MessageOffer;
    }
    if ((await ctx.assets.getAsset(input.datasetId)) === undefined) {
      throw new HttpProblem(404, 'asset-not-found', `no dataset ${input.datasetId} of ours`, [
        { pointer: '/datasetId', reason: 'must be one of our assets' },
      ]);
    }
    return this.messageOffer(input.offer, input.datasetId, ctx.did);
  }

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

  /** Provider agrees (REQUESTED or ACCEPTED): the agreement goes to the consumer. `known`: see act. */
  agree(id: string, known?: NegotiationRecord): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractAgreementMessage',
      (current) => {
        // Built from the record as it is inside the transaction: the terms agreed are the ones stored.
        const agreement = buildAgreement(current, this.ctx.did, this.ctx.clock());
        return { agreement, agreementId: agreement['@id'], pendingAction: false, reason: null };
      },
      (pids, next) =>
        buildContractAgreementMessage({ ...pids, agreement: next.agreement as unknown as Agreement }),
      ['agreement'],
      known,
    );
  }

  /** Provider confirms the consumer's verification: FINALIZED. `known`: see act. */
  finalize(id: string, known?: NegotiationRecord): Promise<NegotiationRecord> {
    return this.act(
      id,
      'ContractNegotiationEventMessage:FINALIZED',
      {},
      (pids) => buildContractNegotiationEventMessage({ ...pids, eventType: 'FINALIZED' }),
      ['events'],
      known,
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
        current,
        changes: { reason, pendingAction: false },
      });
      const url = negotiationPeerUrl(next, 'termination');
      const pids = bothPids(next);
      if (url !== undefined && pids !== undefined) {
        const message = buildContractNegotiationTerminationMessage({ ...pids, code, reason: [reason] });
        await sendDsp(tx, next, url, message);
      }
      return next;
    });
    ctx.committed('negotiation', id, { record });
    return record;
  }

  /**
   * One transition we send, in one transaction: reads the record, checks the table, stores `changes`
   * (given, or computed from the record read), enqueues the message built from the new record to the
   * peer's endpoint `path`. `known` is the record as a commit left it (the automation has it): used
   * instead of reading it, its version checked by the write (changed since: ERR_VERSION_CONFLICT).
   */
  private async act(
    id: string,
    message: NegotiationMessage,
    changes: NegotiationChanges | ((current: NegotiationRecord) => NegotiationChanges),
    build: (pids: MessagePids, next: NegotiationRecord) => object,
    path: readonly string[],
    known?: NegotiationRecord,
  ): Promise<NegotiationRecord> {
    const { ctx } = this;
    const [record, queued] = await ctx.db.transaction(async (tx) => {
      const current = known?.id === id ? known : await this.get(tx, id);
      const next = await ctx.negotiations.transition(id, sent(message), {
        tx,
        current,
        changes: typeof changes === 'function' ? changes(current) : changes,
      });
      const url = reachable(negotiationPeerUrl(next, ...path), 'negotiation');
      // The URL names the peer's pid, so both pids are known here.
      const pids = bothPids(next) as MessagePids;
      // What goes with this step (the agreement's signatures, evidence) is kept in this transaction.
      const extensions = await ctx.hooks?.negotiationSending?.(tx, message, next);
      return [next, await sendDsp(tx, next, url, { ...outgoing(() => build(pids, next)), ...extensions })];
    });
    ctx.committed('negotiation', id, { record, queued: [queued] });
    return record;
  }

  /** The offer as it travels in a negotiation message: an ODRL Offer of the provider on the dataset. */
  private async messageOffer(policy: unknown, datasetId: string, provider: string): Promise<MessageOffer> {
    const checked = await this.checked(policy);
    return {
      ...checked,
      '@id': typeof checked['@id'] === 'string' ? checked['@id'] : `urn:uuid:${randomUUID()}`,
      '@type': 'Offer',
      target: datasetId,
      assigner: provider,
    } as unknown as MessageOffer; // the builder checks the shape against the DSP schema
  }

  /** checkedPolicy, remembered by the policy's JSON text: the same offer is requested again and again. */
  private async checked(policy: unknown): Promise<Record<string, unknown>> {
    const key = JSON.stringify(policy) ?? '';
    let known = this.policies.get(key);
    if (known === undefined) {
      known = await checkedPolicy(policy, '/offer'); // refusals throw and are not remembered
      if (this.policies.size >= MAX_REMEMBERED_POLICIES) this.policies.clear();
      this.policies.set(key, known);
    }
    return structuredClone(known);
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
