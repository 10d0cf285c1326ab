// The transfer messages peers send us, for both roles (see negotiation/protocol.ts for the pattern).
// A transfer needs a FINALIZED agreement between the two parties, and the agreement must permit the
// use when the transfer starts: that check needs the caller's verified claims, so it is made here and
// its outcome stored; the automation starts or terminates the transfer after answering.

import type { Caller } from '../../assets/index.js';
import {
  DspError,
  type TransferCompletionMessage,
  type TransferProcess,
  type TransferRequestMessage,
  type TransferStartMessage,
  type TransferSuspensionMessage,
  type TransferTerminationMessage,
} from '../../dsp/messages/index.js';
import { cancelPending } from '../../outbox/index.js';
import type { Queries } from '../../store/database.js';
import { ProcessError, received } from '../../negotiation/index.js';
import {
  nextTransferState,
  TRANSFER_TERMINAL_STATES,
  type TransferChanges,
  type TransferEvent,
  type TransferRecord,
  type TransferState,
} from '../../transfer/index.js';
import type { ControlPlaneContext, DspReply } from '../context.js';
import { bothPids, checkMessagePids, earlyProcessBody, withPeerPid, type MessagePids } from '../pids.js';
import { creating, peerAddressOrRefuse, terminationReason } from '../protocol-support.js';
import { applyReceived, createReceived, inboxKey } from '../received.js';
import { readDeclaredUsage } from '../extensions.js';
import { isPushFormat } from './data-address.js';
import { AgreementChecks } from './use-check.js';
import { transferBody } from './wire.js';

type Reply = DspReply<TransferProcess>;

export class TransferProtocol {
  private readonly checks = new AgreementChecks();

  constructor(private readonly ctx: ControlPlaneContext) {}

  /** GET /transfers/:pid (either role). */
  async state(caller: Caller, pid: string): Promise<TransferProcess | ReturnType<typeof earlyProcessBody>> {
    const record = await withPeerPid(
      this.ctx,
      'transfer',
      await this.own(caller, pid),
      () => this.ctx.transfers.get(pid),
      (r) => TRANSFER_TERMINAL_STATES.includes(r.state),
    );
    return bothPids(record) ? transferBody(record) : earlyProcessBody('TransferProcess', record);
  }

  /** Provider: POST /transfers/request. */
  async request(caller: Caller, message: TransferRequestMessage): Promise<Reply> {
    const { ctx } = this;
    const callbackAddress = peerAddressOrRefuse(ctx.hostPolicy, message.callbackAddress, '/callbackAddress');
    if (!ctx.transferFormats.includes(message.format)) {
      throw new DspError('bad-message', `format ${message.format} is not offered here`, [
        { pointer: '/format', reason: `must be one of ${ctx.transferFormats.join(', ')}` },
      ]);
    }
    if (isPushFormat(message.format) && message.dataAddress === undefined) {
      throw new DspError('bad-message', 'a push transfer needs the consumer’s dataAddress', [
        { pointer: '/dataAddress', reason: `required for ${message.format}` },
      ]);
    }
    // What the consumer declares it will use the data for and where (Shuyu extensions; 400 when malformed).
    const usage = readDeclaredUsage(message);
    const denial = await this.useDenial(caller, message.agreementId);
    const key = `${caller.participantId} TransferRequestMessage ${message.consumerPid}`;
    let stored: TransferRecord | undefined;
    const response = await createReceived<Reply, TransferRecord>(ctx.db, ctx.inbox, key, message, {
      pidOf: (reply) => reply.body.providerPid,
      current: (tx, providerPid) => ctx.transfers.get(providerPid, { tx }),
      answer: (record) => ({ status: 201, body: transferBody(record) }),
      refusal: (state) => {
        const decision = nextTransferState(
          'provider',
          state as TransferState,
          received('TransferRequestMessage'),
        );
        return decision.ok ? 'the TransferRequestMessage was applied before' : decision.reason;
      },
      create: async (tx) => {
        const created = await creating(
          () =>
            ctx.transfers.create(
              {
                role: 'provider',
                consumerPid: message.consumerPid,
                agreementId: message.agreementId,
                counterPartyId: caller.participantId,
                counterPartyAddress: callbackAddress,
                format: message.format,
                dataAddress: message.dataAddress ?? null,
              },
              received('TransferRequestMessage'),
              { tx },
            ),
          'consumerPid',
          message.consumerPid,
        );
        // Kept for every access to the data: the declaration and the claims verified now.
        await ctx.hooks?.usageDeclared?.(tx, created, { ...usage, claims: caller.claims });
        // The automation terminates with this reason, or starts the transfer when there is none.
        stored = denial
          ? await ctx.transfers.update(created.id, { reason: denial }, { tx, current: created })
          : created;
        return { reply: { status: 201, body: transferBody(stored) }, version: stored.version };
      },
    });
    ctx.committed('transfer', response.body.providerPid, {
      sent: false,
      ...(stored ? { record: stored } : {}),
    });
    return response;
  }

  /** Consumer: the provider started or resumed. Provider: the consumer resumes a suspended transfer. */
  async start(caller: Caller, pid: string, message: TransferStartMessage): Promise<Reply> {
    const record = await this.own(caller, pid);
    if (record.role === 'consumer') {
      return this.apply(caller, pid, message, received('TransferStartMessage'), () => ({
        ...(message.dataAddress ? { dataAddress: message.dataAddress } : {}),
        reason: null,
      }));
    }
    // The use-time constraints are checked again; a use no longer permitted is stored as the reason and
    // the automation ends the transfer (step refuseTransfer), or the operator does.
    const denial = await this.useDenial(caller, record.agreementId);
    return this.apply(caller, pid, message, received('TransferStartMessage'), () => ({
      reason: denial ?? null,
    }));
  }

  completion(caller: Caller, pid: string, message: TransferCompletionMessage): Promise<Reply> {
    return this.apply(caller, pid, message, received('TransferCompletionMessage'));
  }

  suspension(caller: Caller, pid: string, message: TransferSuspensionMessage): Promise<Reply> {
    return this.apply(caller, pid, message, received('TransferSuspensionMessage'), (record) => ({
      reason: terminationReason(`suspended by the ${peerRole(record)}`, message.code, message.reason),
    }));
  }

  termination(caller: Caller, pid: string, message: TransferTerminationMessage): Promise<Reply> {
    return this.apply(
      caller,
      pid,
      message,
      received('TransferTerminationMessage'),
      (record) => ({
        reason: terminationReason(`terminated by the ${peerRole(record)}`, message.code, message.reason),
      }),
      (tx, record) => cancelPending(tx, record.id, 'the counterparty terminated the transfer'),
    );
  }

  /** Why the agreement does not allow `caller` a transfer now; a 400 when there is no such agreement. */
  private async useDenial(caller: Caller, agreementId: string): Promise<string | undefined> {
    const { ctx } = this;
    const negotiation = await ctx.negotiations.findByAgreementId('provider', agreementId);
    // Unknown, someone else's, or not finalized: one answer, so agreement ids do not leak.
    if (
      negotiation === undefined ||
      negotiation.counterPartyId !== caller.participantId ||
      negotiation.state !== 'FINALIZED' ||
      negotiation.agreement === null
    ) {
      throw new DspError('bad-message', `there is no finalized agreement ${agreementId} between you and us`, [
        { pointer: '/agreementId', reason: 'negotiate a contract first, then request the transfer' },
      ]);
    }
    const asset =
      negotiation.datasetId === null ? undefined : await ctx.assets.getAsset(negotiation.datasetId);
    return this.checks.denial(negotiation.agreement, caller, ctx.did, asset?.dataGrade, ctx.clock());
  }

  private async apply(
    caller: Caller,
    pid: string,
    message: MessagePids,
    event: TransferEvent,
    changes: (record: TransferRecord) => TransferChanges = () => ({}),
    after?: (tx: Queries, record: TransferRecord) => Promise<unknown>,
  ): Promise<Reply> {
    const { ctx } = this;
    let applied: TransferRecord | undefined;
    const reply = await ctx.db.transaction(async (tx) => {
      const record = await this.own(caller, pid, tx);
      const learnt = checkMessagePids(record, message);
      const key = inboxKey(caller.participantId, pid);
      return applyReceived<Reply>(ctx.inbox, tx, key, message, record.version, async () => {
        // The state table first: a message it refuses is refused as such, whatever else is wrong with it.
        const decision = nextTransferState(record.role, record.state, event);
        if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason, record.state);
        const next = await ctx.transfers.transition(record.id, event, {
          tx,
          current: record,
          changes: { ...changes(record), ...learnt },
        });
        await after?.(tx, next);
        applied = next;
        return { reply: { status: 200, body: transferBody(next) }, version: next.version };
      });
    });
    // `after` may have changed the record further (and sent): then the automation reads it afresh.
    ctx.committed('transfer', pid, after ? {} : { sent: false, ...(applied ? { record: applied } : {}) });
    return reply as Reply;
  }

  private async own(caller: Caller, pid: string, tx?: Queries): Promise<TransferRecord> {
    const record = await this.ctx.transfers.get(pid, { tx });
    if (record === undefined || record.counterPartyId !== caller.participantId) {
      throw DspError.notFound('transfer process', pid);
    }
    return record;
  }
}

function peerRole(record: TransferRecord): string {
  return record.role === 'provider' ? 'consumer' : 'provider';
}
