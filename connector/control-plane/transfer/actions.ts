// What this connector itself does in a transfer, as consumer or provider (see negotiation/actions.ts):
// request one under a finalized agreement (consumer), start a requested one (provider), resume, suspend,
// complete, terminate (either role).

import { randomUUID } from 'node:crypto';
import {
  buildTransferCompletionMessage,
  buildTransferRequestMessage,
  buildTransferStartMessage,
  buildTransferSuspensionMessage,
  buildTransferTerminationMessage,
  type DataAddress,
} from '../../dsp/messages/index.js';
import { HttpProblem } from '../../http/problem.js';
import { ProcessError, sent } from '../../negotiation/index.js';
import { cancelPending } from '../../outbox/index.js';
import type { Queries } from '../../store/database.js';
import type {
  TransferChanges,
  TransferMessage,
  TransferRecord,
  TransferState,
} from '../../transfer/index.js';
import type { ControlPlaneContext } from '../context.js';
import { operatorPeerAddress, outgoing, reachable } from '../outgoing.js';
import { peerUrl } from '../peers/address.js';
import { sendDsp } from '../peers/outbound.js';
import { usageProperties } from '../extensions.js';
import { bothPids, type MessagePids } from '../pids.js';
import { isPullFormat, isPushFormat, placeholderPullAddress } from './data-address.js';
import { transferPeerUrl } from './wire.js';

export interface StartTransfer {
  readonly agreementId: string;
  /** A format the provider's catalog offers for the dataset, e.g. HttpData-PULL. */
  readonly format: string;
  /** The provider's DSP base; default: the address the agreement was negotiated with. */
  readonly counterPartyAddress?: string;
  /** Push transfers: where the provider should send the data. */
  readonly dataAddress?: DataAddress;
  /** Purposes the data will be used for, and places (ISO 3166 codes): checked at every access. */
  readonly purpose?: readonly string[];
  readonly spatial?: readonly string[];
}

export class TransferActions {
  constructor(private readonly ctx: ControlPlaneContext) {}

  // ---- consumer ----

  /** Requests a transfer under a FINALIZED agreement of ours: TransferRequestMessage to the provider. */
  async request(input: StartTransfer): Promise<TransferRecord> {
    const { ctx } = this;
    const negotiation = await ctx.negotiations.findByAgreementId('consumer', input.agreementId);
    if (negotiation === undefined || negotiation.state !== 'FINALIZED') {
      throw new HttpProblem(
        409,
        'agreement-not-finalized',
        `agreement ${input.agreementId} is not a finalized agreement of ours as consumer; negotiate it first`,
        [{ pointer: '/agreementId', reason: 'no FINALIZED consumer negotiation carries it' }],
      );
    }
    if (isPushFormat(input.format) && input.dataAddress === undefined) {
      throw new HttpProblem(400, 'invalid-body', `a ${input.format} transfer needs a dataAddress`, [
        { pointer: '/dataAddress', reason: 'required for push transfers' },
      ]);
    }
    const address =
      input.counterPartyAddress === undefined
        ? negotiation.counterPartyAddress
        : operatorPeerAddress(ctx.hostPolicy, input.counterPartyAddress);
    const id = `urn:uuid:${randomUUID()}`;
    const usage = {
      ...(input.purpose?.length ? { purpose: input.purpose } : {}),
      ...(input.spatial?.length ? { spatial: input.spatial } : {}),
    };
    const message = {
      ...outgoing(() =>
        buildTransferRequestMessage({
          consumerPid: id,
          agreementId: input.agreementId,
          format: input.format,
          callbackAddress: ctx.dspBase,
          ...(input.dataAddress ? { dataAddress: input.dataAddress } : {}),
        }),
      ),
      // The format as the provider's catalog wrote it (EDC matches the bare name), else in our form.
      format: await ctx.peerFormats.wireForm(negotiation.counterPartyId, input.format),
      // Shuyu extension properties: what the data will be used for, and where (other peers ignore them).
      ...usageProperties(usage),
    };
    const [record, queued] = await ctx.db.transaction(async (tx) => {
      const created = await ctx.transfers.create(
        {
          id,
          role: 'consumer',
          agreementId: input.agreementId,
          counterPartyId: negotiation.counterPartyId,
          counterPartyAddress: address,
          format: input.format,
          dataAddress: input.dataAddress ?? null,
        },
        sent('TransferRequestMessage'),
        { tx },
      );
      await ctx.hooks?.usageDeclared?.(tx, created, usage);
      return [created, await sendDsp(tx, created, peerUrl(address, 'transfers', 'request'), message)];
    });
    ctx.committed('transfer', id, { record, queued: [queued] });
    return record;
  }

  // ---- both ----

  /** Provider: starts a REQUESTED transfer (a fresh data address for pull transfers). */
  start(id: string): Promise<TransferRecord> {
    return this.sendStart(id, 'REQUESTED', 'start');
  }

  /** Either role: resumes a SUSPENDED transfer (the provider hands out a fresh data address for pull). */
  resume(id: string): Promise<TransferRecord> {
    return this.sendStart(id, 'SUSPENDED', 'resume');
  }

  /** The TransferStartMessage of a start or a resume, refused unless the transfer is in `from`. */
  private async sendStart(id: string, from: TransferState, what: string): Promise<TransferRecord> {
    // An endpoint data reference, when the connector runs a data plane (hooks.ts): signed before the
    // transaction, from what never changes in a transfer (agreement, consumer, id).
    const issued = await this.ctx.hooks?.pullDataAddress?.(id);
    let address: DataAddress | undefined;
    return this.act(
      id,
      'TransferStartMessage',
      (current) => {
        if (current.state !== from) {
          const other = from === 'REQUESTED' ? 'resume a SUSPENDED one' : 'start a REQUESTED one';
          throw new ProcessError(
            'ERR_INVALID_TRANSITION',
            `a transfer process in state ${current.state} cannot ${what}: only one in ${from} can (${other} instead)`,
            current.state,
          );
        }
        address =
          current.role === 'provider' && isPullFormat(current.format)
            ? (issued ?? placeholderPullAddress(this.ctx.url, current.id))
            : undefined;
        return { reason: null, ...(address ? { dataAddress: address } : {}) };
      },
      (pids) => buildTransferStartMessage({ ...pids, ...(address ? { dataAddress: address } : {}) }),
      'start',
    );
  }

  suspend(id: string, reason?: string): Promise<TransferRecord> {
    return this.act(
      id,
      'TransferSuspensionMessage',
      { reason: reason ?? null },
      (pids) => buildTransferSuspensionMessage({ ...pids, ...(reason ? { reason: [reason] } : {}) }),
      'suspension',
    );
  }

  complete(id: string): Promise<TransferRecord> {
    return this.act(
      id,
      'TransferCompletionMessage',
      {},
      (pids) => buildTransferCompletionMessage(pids),
      'completion',
    );
  }

  /** Ends the transfer with a reason; the peer is told when it can be addressed. */
  async terminate(id: string, reason: string, code = 'terminated'): Promise<TransferRecord> {
    const { ctx } = this;
    const record = await ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      await cancelPending(tx, id, `transfer terminated: ${reason}`);
      const next = await ctx.transfers.transition(id, sent('TransferTerminationMessage'), {
        tx,
        current,
        changes: { reason },
      });
      const url = transferPeerUrl(next, 'termination');
      const pids = bothPids(next);
      if (url !== undefined && pids !== undefined) {
        await sendDsp(tx, next, url, buildTransferTerminationMessage({ ...pids, code, reason: [reason] }));
      }
      return next;
    });
    ctx.committed('transfer', id, { record });
    return record;
  }

  private async act(
    id: string,
    message: TransferMessage,
    changes: TransferChanges | ((current: TransferRecord) => TransferChanges),
    build: (pids: MessagePids) => object,
    path: string,
  ): Promise<TransferRecord> {
    const { ctx } = this;
    const [record, queued] = await ctx.db.transaction(async (tx) => {
      const current = await this.get(tx, id);
      const next = await ctx.transfers.transition(id, sent(message), {
        tx,
        current,
        changes: typeof changes === 'function' ? changes(current) : changes,
      });
      const url = reachable(transferPeerUrl(next, path), 'transfer');
      // The URL names the peer's pid, so both pids are known here.
      const pids = bothPids(next) as MessagePids;
      return [
        next,
        await sendDsp(
          tx,
          next,
          url,
          outgoing(() => build(pids)),
        ),
      ];
    });
    ctx.committed('transfer', id, { record, queued: [queued] });
    return record;
  }

  private async get(tx: Queries, id: string): Promise<TransferRecord> {
    const record = await this.ctx.transfers.get(id, { tx });
    if (!record) throw new ProcessError('ERR_NOT_FOUND', `no transfer process ${id}`);
    return record;
  }
}
