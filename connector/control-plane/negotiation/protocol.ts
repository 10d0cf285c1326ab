// The negotiation messages peers send us, for both roles: validate against the record, apply the
// state table, persist, answer. Decisions that need the caller's verified claims (does the contract
// policy permit it?) are taken here, while the claims are at hand, and stored with the record; the
// automation (automation.ts) sends what follows, after the answer, and again after a restart.

import { matchRequestedOffer, type Caller } from '../../assets/index.js';
import {
  DspError,
  type ContractAgreementMessage,
  type ContractAgreementVerificationMessage,
  type ContractNegotiation,
  type ContractNegotiationEventMessage,
  type ContractNegotiationTerminationMessage,
  type ContractOfferMessage,
  type ContractRequestMessage,
} from '../../dsp/messages/index.js';
import {
  nextNegotiationState,
  ProcessError,
  received,
  type NegotiationMessage,
  type NegotiationState,
  type Role,
  type NegotiationChanges,
  type NegotiationEvent,
  type NegotiationRecord,
  NEGOTIATION_TERMINAL_STATES,
} from '../../negotiation/index.js';
import { cancelPending } from '../../outbox/index.js';
import type { Queries } from '../../store/database.js';
import type { ControlPlaneContext, DspReply } from '../context.js';
import { bothPids, checkMessagePids, earlyProcessBody, withPeerPid, type MessagePids } from '../pids.js';
import { creating, peerAddressOrRefuse, terminationReason } from '../protocol-support.js';
import { applyReceived, createReceived, inboxKey } from '../received.js';
import { agreementProblems } from './agreement.js';
import { contractDenial } from './decision.js';
import { negotiationBody } from './wire.js';

type Reply = DspReply<ContractNegotiation>;

export class NegotiationProtocol {
  constructor(private readonly ctx: ControlPlaneContext) {}

  /** GET /negotiations/:pid (either role). */
  async state(
    caller: Caller,
    pid: string,
  ): Promise<ContractNegotiation | ReturnType<typeof earlyProcessBody>> {
    const record = await withPeerPid(
      this.ctx,
      'negotiation',
      await this.own(caller, pid),
      () => this.ctx.negotiations.get(pid),
      (r) => NEGOTIATION_TERMINAL_STATES.includes(r.state),
    );
    return bothPids(record) ? negotiationBody(record) : earlyProcessBody('ContractNegotiation', record);
  }

  /** Provider: POST /negotiations/request, a consumer opens a negotiation. */
  async request(caller: Caller, message: ContractRequestMessage): Promise<Reply> {
    if (message.callbackAddress === undefined) {
      throw new DspError('bad-message', 'a counter-request goes to /negotiations/:providerPid/request', [
        { pointer: '/providerPid', reason: 'an initial request has callbackAddress and no providerPid' },
      ]);
    }
    const { ctx } = this;
    const callbackAddress = peerAddressOrRefuse(ctx.hostPolicy, message.callbackAddress, '/callbackAddress');
    const match = await matchRequestedOffer(ctx.catalog, caller, {
      datasetId: message.offer.target,
      offer: message.offer,
    });
    if (!match.ok) {
      throw new DspError('bad-message', `the offer cannot be negotiated: ${match.message}`, [
        { pointer: '/offer', reason: match.message },
        ...(match.problems ?? []).map((p) => ({ pointer: `/offer${p.pointer}`, reason: p.reason })),
      ]);
    }
    const manual = match.offer.approval === 'manual';
    const denial = manual ? undefined : contractDenial(match, caller, ctx.did, ctx.clock());
    const key = `${caller.participantId} ContractRequestMessage ${message.consumerPid}`;
    let stored: NegotiationRecord | undefined;
    const response = await createReceived<Reply, NegotiationRecord>(ctx.db, ctx.inbox, key, message, {
      ...this.created('provider', 'ContractRequestMessage', (reply) => reply.body.providerPid),
      create: async (tx) => {
        const created = await creating(
          () =>
            ctx.negotiations.create(
              {
                role: 'provider',
                consumerPid: message.consumerPid,
                counterPartyId: caller.participantId,
                counterPartyAddress: callbackAddress,
                datasetId: match.asset.id,
                // Our own form of the offer, so the agreement is built from what we published.
                offer: { ...match.dspOffer, target: match.asset.id },
                pendingAction: manual,
              },
              received('ContractRequestMessage'),
              { tx },
            ),
          'consumerPid',
          message.consumerPid,
        );
        // A denial is sent by the automation; stored now, while the caller's claims are known.
        stored = denial
          ? await ctx.negotiations.update(created.id, { reason: denial }, { tx, current: created })
          : created;
        return { reply: { status: 201, body: negotiationBody(stored) }, version: stored.version };
      },
    });
    ctx.committed('negotiation', response.body.providerPid, {
      sent: false,
      ...(stored ? { record: stored } : {}),
    });
    return response;
  }

  /** Provider: POST /negotiations/:pid/request, a counter-request after our offer. */
  async counterRequest(caller: Caller, pid: string, message: ContractRequestMessage): Promise<Reply> {
    const later = laterForm(message, 'counter-request');
    const match = await matchRequestedOffer(this.ctx.catalog, caller, {
      datasetId: message.offer.target,
      offer: message.offer,
    });
    // Terms we publish with automatic approval are decided at once; anything else waits for the operator.
    const automatic = match.ok && match.offer.approval === 'automatic';
    const denial = automatic ? contractDenial(match, caller, this.ctx.did, this.ctx.clock()) : undefined;
    return this.apply(caller, pid, later, received('ContractRequestMessage'), (record) => {
      if (record.datasetId !== null && message.offer.target !== record.datasetId) {
        // A proposal we cannot take (this negotiation is about another dataset) is still a proposal:
        // received into REQUESTED, our offer kept, and refused with the reason by the automation's
        // policy step, or by the operator (DSP: the provider answers a counter-offer, the TCK's CN:01-02).
        return {
          pendingAction: false,
          reason: `the counter-offer names dataset ${message.offer.target}; this negotiation is about ${record.datasetId}`,
        };
      }
      return {
        offer: match.ok ? { ...match.dspOffer, target: match.asset.id } : message.offer,
        pendingAction: !automatic,
        reason: denial ?? null,
      };
    });
  }

  /** Consumer: POST /negotiations/offers, a provider opens a negotiation with an offer. */
  async offer(caller: Caller, message: ContractOfferMessage): Promise<Reply> {
    if (message.callbackAddress === undefined) {
      throw new DspError('bad-message', 'a counter-offer goes to /negotiations/:consumerPid/offers', [
        { pointer: '/consumerPid', reason: 'an initial offer has callbackAddress and no consumerPid' },
      ]);
    }
    const { ctx } = this;
    const callbackAddress = peerAddressOrRefuse(ctx.hostPolicy, message.callbackAddress, '/callbackAddress');
    const key = `${caller.participantId} ContractOfferMessage ${message.providerPid}`;
    let stored: NegotiationRecord | undefined;
    const response = await createReceived<Reply, NegotiationRecord>(ctx.db, ctx.inbox, key, message, {
      ...this.created('consumer', 'ContractOfferMessage', (reply) => reply.body.consumerPid),
      create: async (tx) => {
        const record = await creating(
          () =>
            ctx.negotiations.create(
              {
                role: 'consumer',
                providerPid: message.providerPid,
                counterPartyId: caller.participantId,
                counterPartyAddress: callbackAddress,
                datasetId: message.offer.target,
                offer: message.offer,
                pendingAction: true, // our operator accepts, counters or terminates
              },
              received('ContractOfferMessage'),
              { tx },
            ),
          'providerPid',
          message.providerPid,
        );
        stored = record;
        return { reply: { status: 201, body: negotiationBody(record) }, version: record.version };
      },
    });
    ctx.committed('negotiation', response.body.consumerPid, {
      sent: false,
      ...(stored ? { record: stored } : {}),
    });
    return response;
  }

  /** Consumer: POST <callback>/negotiations/:pid/offers, a counter-offer. */
  counterOffer(caller: Caller, pid: string, message: ContractOfferMessage): Promise<Reply> {
    const later = laterForm(message, 'counter-offer');
    return this.apply(caller, pid, later, received('ContractOfferMessage'), () => ({
      offer: message.offer,
      pendingAction: true,
    }));
  }

  /** Consumer: POST <callback>/negotiations/:pid/agreement. */
  async agreement(caller: Caller, pid: string, message: ContractAgreementMessage): Promise<Reply> {
    // The provider's signature (hooks.ts) is checked before the transaction: it may resolve the provider's DID.
    const { hooks } = this.ctx;
    const checked = await hooks?.checkAgreement?.(caller, message);
    return this.apply(
      caller,
      pid,
      message,
      received('ContractAgreementMessage'),
      (record) => {
        const problems = agreementProblems(message.agreement, record, caller.participantId, this.ctx.did);
        if (problems.length > 0) throw DspError.badMessage('ContractAgreementMessage', problems);
        return {
          agreement: message.agreement,
          agreementId: message.agreement['@id'],
          pendingAction: false, // verifying is a step of its own (automation.ts)
        };
      },
      async (tx, next) => hooks?.agreementReceived?.(tx, next, checked),
    );
  }

  /** Provider: POST /negotiations/:pid/agreement/verification. */
  async verification(
    caller: Caller,
    pid: string,
    message: ContractAgreementVerificationMessage,
  ): Promise<Reply> {
    const { hooks } = this.ctx;
    const checked = await hooks?.checkVerification?.(caller, pid, message);
    return this.apply(
      caller,
      pid,
      message,
      received('ContractAgreementVerificationMessage'),
      () => ({}),
      async (tx, next) => hooks?.verificationReceived?.(tx, next, checked),
    );
  }

  /** Provider (ACCEPTED) or consumer (FINALIZED): POST .../negotiations/:pid/events. */
  event(caller: Caller, pid: string, message: ContractNegotiationEventMessage): Promise<Reply> {
    const event = received(`ContractNegotiationEventMessage:${message.eventType}` as const);
    return this.apply(caller, pid, message, event, () => ({ pendingAction: false }));
  }

  /** Either role: POST .../negotiations/:pid/termination. */
  termination(caller: Caller, pid: string, message: ContractNegotiationTerminationMessage): Promise<Reply> {
    return this.apply(
      caller,
      pid,
      message,
      received('ContractNegotiationTerminationMessage'),
      (record) => ({
        pendingAction: false,
        reason: terminationReason(
          `terminated by the ${record.role === 'provider' ? 'consumer' : 'provider'}`,
          message.code,
          message.reason,
        ),
      }),
      // What we still meant to send is moot now.
      (tx, record) => cancelPending(tx, record.id, 'the counterparty terminated the negotiation'),
    );
  }

  /** Applies a message on an existing negotiation of ours with `caller`, once (see received.ts). */
  private async apply(
    caller: Caller,
    pid: string,
    message: MessagePids,
    event: NegotiationEvent,
    changes: (record: NegotiationRecord) => NegotiationChanges = () => ({}),
    after?: (tx: Queries, record: NegotiationRecord) => Promise<unknown>,
  ): Promise<Reply> {
    const { ctx } = this;
    let applied: NegotiationRecord | undefined;
    const reply = await ctx.db.transaction(async (tx) => {
      const record = await this.own(caller, pid, tx);
      const learnt = checkMessagePids(record, message);
      const key = inboxKey(caller.participantId, pid);
      return applyReceived<Reply>(ctx.inbox, tx, key, message, record.version, async () => {
        // The state table first: a message it refuses is refused as such, whatever else is wrong with it.
        const decision = nextNegotiationState(record.role, record.state, event);
        if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason, record.state);
        const next = await ctx.negotiations.transition(record.id, event, {
          tx,
          current: record,
          changes: { ...changes(record), ...learnt },
        });
        await after?.(tx, next);
        applied = next;
        return { reply: { status: 200, body: negotiationBody(next) }, version: next.version };
      });
    });
    // `after` keeps what goes with the change (evidence, signatures) or cancels what we meant to send; it
    // neither changes the record further nor queues a message (hooks.ts), so the record stands as applied.
    ctx.committed('negotiation', pid, { sent: false, ...(applied ? { record: applied } : {}) });
    return reply as Reply;
  }

  /** How createReceived finds the negotiation an initial message created, and words a refusal. */
  private created(role: Role, message: NegotiationMessage, pidOf: (reply: Reply) => string | undefined) {
    return {
      pidOf: (reply: Reply) => pidOf(reply) ?? '',
      current: async (tx: Queries, pid: string) => this.ctx.negotiations.get(pid, { tx }),
      answer: (record: NegotiationRecord): Reply => ({ status: 201, body: negotiationBody(record) }),
      refusal: (state: string) => {
        const decision = nextNegotiationState(role, state as NegotiationState, received(message));
        return decision.ok ? `the ${message} was applied before, in an earlier state` : decision.reason;
      },
    };
  }

  /** Our negotiation `pid` if `caller` is its counterparty; otherwise 404, the same as unknown. */
  private async own(caller: Caller, pid: string, tx?: Queries): Promise<NegotiationRecord> {
    const record = await this.ctx.negotiations.get(pid, { tx });
    if (record === undefined || record.counterPartyId !== caller.participantId) {
      throw DspError.notFound('negotiation', pid);
    }
    return record;
  }
}

/** A later-form message (pids, no callbackAddress), or a 400 saying where initial ones go. */
function laterForm<M extends ContractRequestMessage | ContractOfferMessage>(
  message: M,
  what: string,
): M & MessagePids {
  if (message.providerPid === undefined || message.consumerPid === undefined) {
    throw new DspError('bad-message', `a ${what} names providerPid and consumerPid, not a callbackAddress`, [
      { pointer: '/callbackAddress', reason: 'only initial messages carry it' },
    ]);
  }
  return message as M & MessagePids;
}
