// The connector's use of the control plane's hooks (hooks.ts): proof of agreements, the evidence log of
// everything agreed and done, endpoint data references, and push.
//
//   agreements   the provider signs the agreement it sends; the consumer checks that signature, signs its
//                verification and sends it back; the provider checks it. Both sides store both signatures
//                (records.ts) and log them: `agreement` and `agreement-verification` entries.
//   duties       recorded in the ObligationStore when the agreement is verified (both sides), each logged
//                as a `duty` entry; later changes (performed, violated) are logged after the access that
//                made them.
//   negotiations every state change is a `negotiation-state` entry (subject: our process id), in the
//                transaction of the change: the contract's timeline, and who ended it why.
//   transfers    every state change is a `transfer-state` entry, in the transaction of the change; the
//                usage a consumer declares (purpose, place) and, provider side, the claims verified when it
//                asked, a `transfer-usage` entry.
//   data         every authenticated access to the data plane, pull or push: a `data-access` entry.
//
// Appends happen in the transaction of the state change they record wherever the control plane runs one;
// data accesses are logged right after they end (the data plane decides and counts in its own transaction).

import { errorReporter, rootLogger } from '../logging/index.js';
import type { AssetStore, Catalog } from '../assets/index.js';
import type { AccessServices } from '../dataplane/access.js';
import { calendarDeadline, agreementDuties } from './agreement-duties.js';
import { anonymisationOf, type ObligationStore } from '../dataplane/index.js';
import { performerOf } from '../dataplane/duties/perform.js';
import type { AccessEvent } from '../dataplane/http/router.js';
import type { DataAddressLike } from '../dataplane/sources/types.js';
import {
  DspError,
  type ContractAgreementMessage,
  type ContractAgreementVerificationMessage,
  type DataAddress,
} from '../dsp/messages/index.js';
import type { KeyLookup } from '../evidence/checkpoint/keys.js';
import type { EvidenceLog } from '../evidence/index.js';
import { systemClock, type Clock, type DidSigner, type HostPolicy } from '../identity/index.js';
import type {
  NegotiationMessage,
  NegotiationRecord,
  NegotiationState,
  NegotiationStore,
} from '../negotiation/index.js';
import type { Queries } from '../store/database.js';
import type { TransferRecord, TransferState, TransferStore } from '../transfer/index.js';
import { compilePolicy } from '../../policies/index.js';
import type { Caller, ProcessKind } from './context.js';
import {
  keyPointer,
  readSignature,
  SHUYU_CONSUMER_SIGNATURE,
  SHUYU_PROVIDER_SIGNATURE,
} from './extensions.js';
import type { ControlPlaneHooks, MessageExtensions } from './hooks.js';
import {
  agreementDigest,
  AgreementSignatureError,
  checkAgreementSignature,
  checkVerificationSignature,
  signAgreement,
  signVerification,
} from './negotiation/signature.js';
import {
  AgreementSignatureStore,
  TransferUsageStore,
  type AgreementSignatures,
  type TransferUsage,
} from './records.js';
import type { TransferActions } from './transfer/actions.js';
import { isPullFormat } from './transfer/data-address.js';
import { pullDataAddress } from './transfer/edr.js';
import { ProviderTransferViews } from './transfer/provider-view.js';
import { isProviderPush, PushRunner, STARTED_PUSHES } from './transfer/push.js';
import type { StaleWorkTakeover, WorkLeases } from './replicas.js';

/** Agreements larger than this are logged by digest only (the log keeps small documents). */
const MAX_LOGGED_AGREEMENT_BYTES = 64 * 1024;

/** What the hooks need of the control plane, known once it exists (see attach). */
export interface AttachedControlPlane {
  readonly negotiations: NegotiationStore;
  readonly transfers: TransferStore;
  readonly assets: AssetStore;
  readonly catalog: Catalog;
  readonly transferActions: TransferActions;
  /** Whether a push is completed (or a failed one terminated) by itself: automation step completePush. */
  readonly automation?: { allows(step: 'completePush'): boolean };
  /** With replicas: each push runs under a lease, and a dead replica's push is taken over. */
  readonly workLeases?: WorkLeases;
  readonly takeover?: StaleWorkTakeover;
}

export interface ConnectorEvidenceOptions {
  readonly log: EvidenceLog;
  /** The connector's signer (called each time, so a key rotation is picked up). */
  readonly signer: () => DidSigner;
  /** Keys of other participants' DIDs (resolverKeys over the connector's resolver). */
  readonly peerKeys: KeyLookup;
  readonly obligations: ObligationStore;
  readonly usage: TransferUsageStore;
  readonly signatures: AgreementSignatureStore;
  /** Sources, meter and obligations, for push. */
  readonly access: AccessServices;
  /** The connector's public URL (the data plane serves `<url>/data/:transferId`). */
  readonly publicUrl: string;
  readonly edrLifetimeSeconds?: number;
  /** Hosts the provider may push to, and whether they may be private addresses. */
  readonly hostPolicy: HostPolicy;
  readonly allowPrivateAddresses?: boolean;
  /** Hosts push endpoints may be on besides the consumer's DSP host:port (PushRunnerOptions.pushHosts). */
  readonly pushHosts?: readonly string[];
  /** True when a usage notifier performs `inform` duties (AccessServices.notifier). */
  readonly canInform?: boolean;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

interface CheckedAgreement {
  readonly signature: string | null;
  readonly digest: string;
  readonly didDocument?: Readonly<Record<string, unknown>>;
}

interface CheckedVerification {
  readonly signature: string | null;
  /** The agreement's signatures as stored when the verification was checked (digest and provider's). */
  readonly stored: AgreementSignatures | undefined;
  readonly verifiedAt: string | null;
  readonly didDocument?: Readonly<Record<string, unknown>>;
  /** The provider performs the anonymisation of this agreement's asset. */
  readonly canAnonymise: boolean;
}

function signatureRefused(key: string, error: unknown): DspError {
  if (!(error instanceof AgreementSignatureError)) throw error;
  return new DspError('bad-message', error.message, [{ pointer: keyPointer(key), reason: error.message }]);
}

export class ConnectorEvidence implements ControlPlaneHooks {
  private plane: AttachedControlPlane | undefined;
  private providerViews: ProviderTransferViews | undefined;
  private push: PushRunner | undefined;
  private readonly clock: Clock;
  private readonly onError: (error: unknown) => void;
  private readonly pendingPush = new Set<string>();
  private readonly tasks = new Set<Promise<unknown>>();
  /** agreementId → the duty sync running for it (so two accesses do not log one change twice). */
  private readonly dutySyncs = new Map<string, Promise<void>>();

  constructor(private readonly options: ConnectorEvidenceOptions) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? errorReporter(rootLogger(), 'evidence');
  }

  get log(): EvidenceLog {
    return this.options.log;
  }

  /** The data plane's `lookupTransfer` (after attach). */
  get views(): ProviderTransferViews {
    if (this.providerViews === undefined) throw new Error('ConnectorEvidence.attach() was not called');
    return this.providerViews;
  }

  /** Connects the hooks to the control plane they were given to; call before it starts. */
  attach(plane: AttachedControlPlane): void {
    this.plane = plane;
    const views = new ProviderTransferViews({
      transfers: plane.transfers,
      negotiations: plane.negotiations,
      assets: plane.assets,
      usage: this.options.usage,
    });
    const push = new PushRunner({
      access: this.options.access,
      views,
      transfers: plane.transfers,
      actions: () => this.plane?.transferActions,
      settles: () => this.plane?.automation?.allows('completePush') ?? true,
      hostPolicy: this.options.hostPolicy,
      ...(this.options.allowPrivateAddresses !== undefined
        ? { allowPrivateAddresses: this.options.allowPrivateAddresses }
        : {}),
      ...(this.options.pushHosts !== undefined ? { pushHosts: this.options.pushHosts } : {}),
      onAccess: (event) => this.recordAccess(event),
      onError: this.onError,
      clock: this.clock,
      ...(plane.workLeases ? { leases: plane.workLeases } : {}),
    });
    // A push whose replica died is pushed again by another (at least once, as after a restart).
    plane.takeover?.add({ select: STARTED_PUSHES, take: (_, id) => push.run(id) });
    this.providerViews = views;
    this.push = push;
  }

  /** Pushes left unfinished by a restart. */
  async start(): Promise<void> {
    await this.push?.resume();
  }

  /** Waits for pushes and evidence appends in flight; no new pushes start. */
  async close(): Promise<void> {
    await this.push?.close();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  // ---- negotiations ----

  async negotiationSending(
    tx: Queries,
    message: NegotiationMessage,
    record: NegotiationRecord,
  ): Promise<MessageExtensions | undefined> {
    if (message === 'ContractAgreementMessage' && record.role === 'provider') {
      return this.agreementSent(tx, record);
    }
    if (message === 'ContractAgreementVerificationMessage' && record.role === 'consumer') {
      return this.verificationSent(tx, record);
    }
    return undefined;
  }

  /** Provider: signs the agreement about to be sent, keeps the signature and logs the agreement. */
  private async agreementSent(tx: Queries, record: NegotiationRecord): Promise<MessageExtensions> {
    const agreement = this.agreementOf(record);
    const { signature, payload } = await signAgreement(agreement, this.options.signer(), this.clock());
    await this.options.signatures.recordAgreement(
      tx,
      {
        negotiationId: record.id,
        agreementId: payload.agreementId,
        digest: payload.digest,
        providerSignature: signature,
      },
      this.clock(),
    );
    await this.log.append(
      'agreement',
      payload.agreementId,
      this.agreementEntry(record, agreement, payload.digest, signature),
      { tx },
    );
    return { [SHUYU_PROVIDER_SIGNATURE]: signature };
  }

  /** Consumer: checks the provider's signature before the agreement is applied. */
  async checkAgreement(caller: Caller, message: ContractAgreementMessage): Promise<CheckedAgreement> {
    const agreement = message.agreement as unknown as Record<string, unknown>;
    const signature = readSignature(message, SHUYU_PROVIDER_SIGNATURE);
    try {
      if (signature === undefined) {
        // A peer that does not sign (not Shuyu): the agreement stands, without the provider's proof.
        return { signature: null, digest: await agreementDigest(agreement) };
      }
      const checked = await checkAgreementSignature(
        signature,
        agreement,
        caller.participantId,
        this.options.peerKeys,
      );
      return { signature, digest: checked.payload.digest, didDocument: checked.didDocument };
    } catch (error) {
      throw signatureRefused(SHUYU_PROVIDER_SIGNATURE, error);
    }
  }

  async agreementReceived(tx: Queries, record: NegotiationRecord, checked: unknown): Promise<void> {
    const proof = checked as CheckedAgreement;
    const agreement = this.agreementOf(record);
    await this.options.signatures.recordAgreement(
      tx,
      {
        negotiationId: record.id,
        agreementId: String(agreement['@id']),
        digest: proof.digest,
        providerSignature: proof.signature,
      },
      this.clock(),
    );
    if (proof.didDocument) await this.log.recordDidDocument(proof.didDocument, { tx });
    await this.log.append(
      'agreement',
      String(agreement['@id']),
      this.agreementEntry(record, agreement, proof.digest, proof.signature),
      { tx },
    );
  }

  /** Consumer: signs its verification, keeps it, logs it and records the agreement's duties. */
  private async verificationSent(tx: Queries, record: NegotiationRecord): Promise<MessageExtensions> {
    const agreement = this.agreementOf(record);
    let stored = await this.options.signatures.get(record.id, tx);
    if (stored === undefined) {
      // An agreement received before this connector kept signatures: verified without the provider's.
      await this.options.signatures.recordAgreement(
        tx,
        {
          negotiationId: record.id,
          agreementId: String(agreement['@id']),
          digest: await agreementDigest(agreement),
          providerSignature: null,
        },
        this.clock(),
      );
      stored = await this.options.signatures.get(record.id, tx);
    }
    const providerSignature = stored?.providerSignature ?? null;
    const { signature, payload } = await signVerification(
      agreement,
      providerSignature,
      this.options.signer(),
      this.clock(),
    );
    await this.options.signatures.recordVerification(tx, record.id, signature, this.clock());
    await this.log.append(
      'agreement-verification',
      payload.agreementId,
      {
        role: 'consumer',
        negotiationId: record.id,
        digest: payload.digest,
        providerSignature,
        consumerSignature: signature,
        verifiedAt: payload.verifiedAt,
      },
      { tx },
    );
    await this.recordDuties(tx, record, agreement, false);
    return { [SHUYU_CONSUMER_SIGNATURE]: signature };
  }

  /** Provider: checks the consumer's signed verification before it is applied. */
  async checkVerification(
    caller: Caller,
    pid: string,
    message: ContractAgreementVerificationMessage,
  ): Promise<CheckedVerification | undefined> {
    const plane = this.attached();
    const record = await plane.negotiations.get(pid);
    // Unknown, not ours, no agreement: the protocol answers that; nothing to check here.
    if (record === undefined || record.counterPartyId !== caller.participantId || record.agreement === null)
      return undefined;
    // From the catalog's in-memory snapshot (kept current with the store), not a read of its own.
    const asset =
      record.datasetId === null
        ? undefined
        : (await plane.catalog.snapshot()).assetsById.get(record.datasetId)?.asset;
    const canAnonymise =
      asset !== undefined &&
      /^text\/csv\b/i.test(asset.format) &&
      anonymisationOf(asset.dataAddress as unknown as DataAddressLike) !== undefined;
    const signature = readSignature(message, SHUYU_CONSUMER_SIGNATURE);
    const stored = await this.options.signatures.get(pid);
    if (signature === undefined) return { signature: null, stored, verifiedAt: null, canAnonymise };
    try {
      const checked = await checkVerificationSignature(
        signature,
        record.agreement,
        stored?.providerSignature ?? null,
        caller.participantId,
        this.options.peerKeys,
      );
      return {
        signature,
        stored,
        verifiedAt: checked.payload.verifiedAt,
        didDocument: checked.didDocument,
        canAnonymise,
      };
    } catch (error) {
      throw signatureRefused(SHUYU_CONSUMER_SIGNATURE, error);
    }
  }

  async verificationReceived(tx: Queries, record: NegotiationRecord, checked: unknown): Promise<void> {
    const proof = checked as CheckedVerification | undefined;
    const agreement = this.agreementOf(record);
    // The digest and the provider's signature were written with the agreement, before the verification
    // was checked, and do not change after: the copy read for the check serves.
    const stored = proof ? proof.stored : await this.options.signatures.get(record.id, tx);
    if (proof?.signature) {
      await this.options.signatures.recordVerification(tx, record.id, proof.signature, this.clock());
    }
    if (proof?.didDocument) await this.log.recordDidDocument(proof.didDocument, { tx });
    await this.log.append(
      'agreement-verification',
      String(agreement['@id']),
      {
        role: 'provider',
        negotiationId: record.id,
        digest: stored?.digest ?? (await agreementDigest(agreement)),
        providerSignature: stored?.providerSignature ?? null,
        consumerSignature: proof?.signature ?? null,
        verifiedAt: proof?.verifiedAt ?? null,
      },
      { tx },
    );
    await this.recordDuties(tx, record, agreement, proof?.canAnonymise ?? false);
  }

  // ---- transfers ----

  async usageDeclared(tx: Queries, record: TransferRecord, usage: TransferUsage): Promise<void> {
    await this.options.usage.record(tx, record.id, usage, this.clock());
    if (usage.purpose === undefined && usage.spatial === undefined && usage.claims === undefined) return;
    await this.log.append(
      'transfer-usage',
      record.id,
      {
        role: record.role,
        agreementId: record.agreementId,
        ...(usage.purpose !== undefined ? { purpose: [...usage.purpose] } : {}),
        ...(usage.spatial !== undefined ? { spatial: [...usage.spatial] } : {}),
        ...(usage.claims !== undefined ? { claims: usage.claims } : {}),
      },
      { tx },
    );
  }

  async pullDataAddress(transferId: string): Promise<DataAddress | undefined> {
    const record = await this.attached().transfers.get(transferId);
    if (record === undefined || record.role !== 'provider' || !isPullFormat(record.format)) return undefined;
    return pullDataAddress(record, {
      publicUrl: this.options.publicUrl,
      signer: this.options.signer,
      clock: this.clock,
      ...(this.options.edrLifetimeSeconds !== undefined
        ? { lifetimeSeconds: this.options.edrLifetimeSeconds }
        : {}),
    });
  }

  async processTimedOut(
    tx: Queries,
    kind: ProcessKind,
    record: NegotiationRecord | TransferRecord,
    timeout: { readonly state: string; readonly waitedMs: number; readonly reason: string },
  ): Promise<void> {
    await this.log.append(
      'timeout',
      record.id,
      {
        process: kind,
        role: record.role,
        providerPid: record.providerPid,
        consumerPid: record.consumerPid,
        counterPartyId: record.counterPartyId,
        waitedIn: timeout.state,
        waitedMs: timeout.waitedMs,
        reason: timeout.reason,
      },
      { tx },
    );
  }

  async negotiationChanged(
    tx: Queries,
    from: NegotiationState | undefined,
    record: NegotiationRecord,
  ): Promise<void> {
    await this.log.append(
      'negotiation-state',
      record.id,
      {
        role: record.role,
        providerPid: record.providerPid,
        consumerPid: record.consumerPid,
        counterPartyId: record.counterPartyId,
        from: from ?? null,
        to: record.state,
        ...(record.agreementId !== null ? { agreementId: record.agreementId } : {}),
        ...(record.state === 'TERMINATED' && record.reason !== null ? { reason: record.reason } : {}),
      },
      { tx },
    );
  }

  async transferChanged(tx: Queries, from: TransferState | undefined, record: TransferRecord): Promise<void> {
    const withReason = record.state === 'SUSPENDED' || record.state === 'TERMINATED';
    await this.log.append(
      'transfer-state',
      record.id,
      {
        role: record.role,
        agreementId: record.agreementId,
        providerPid: record.providerPid,
        consumerPid: record.consumerPid,
        from: from ?? null,
        to: record.state,
        ...(withReason && record.reason !== null ? { reason: record.reason } : {}),
      },
      { tx },
    );
    if (record.state === 'STARTED' && isProviderPush(record)) this.pendingPush.add(record.id);
    else this.pendingPush.delete(record.id);
  }

  committed(kind: ProcessKind, id: string): void {
    if (kind === 'transfer' && this.pendingPush.delete(id)) this.push?.run(id);
  }

  // ---- data accesses ----

  /** The data plane's onAccess: logs every access of an authenticated consumer, served or refused. */
  recordAccess(event: AccessEvent): void {
    if (event.consumerDid !== undefined && event.agreementId !== undefined) {
      this.track(this.logAccess(event, event.agreementId, event.consumerDid));
    } else if (event.code === 'ERR_TRANSFER_NOT_ACTIVE') {
      // A valid token of this very transfer, which is no longer STARTED: attributed from the transfer.
      this.track(
        (async () => {
          const record = await this.plane?.transfers.get(event.transferId);
          if (record?.role === 'provider')
            await this.logAccess(event, record.agreementId, record.counterPartyId);
        })(),
      );
    }
    // Refused before the token verified (forged, expired, missing, another transfer's): nothing to
    // attribute, not logged.
  }

  private async logAccess(event: AccessEvent, agreementId: string, consumer: string): Promise<void> {
    const data = {
      agreementId,
      consumer,
      method: event.method,
      status: event.status,
      outcome: event.outcome,
      decision: event.outcome === 'refused' ? 'deny' : 'permit',
      bytes: event.bytes,
      ...(event.range ? { range: { start: event.range.start, end: event.range.end } } : {}),
      ...(event.count !== undefined ? { count: event.count } : {}),
      ...(event.code !== undefined ? { code: event.code } : {}),
      ...(event.reason !== undefined ? { reason: event.reason.slice(0, 2000) } : {}),
      ...(event.performed !== undefined && event.performed.length > 0
        ? { performed: [...event.performed] }
        : {}),
    };
    await this.log.append('data-access', event.transferId, data);
    await this.syncDuties(agreementId);
  }

  // ---- duties ----

  private async recordDuties(
    tx: Queries,
    record: NegotiationRecord,
    agreement: Readonly<Record<string, unknown>>,
    canAnonymise: boolean,
  ): Promise<void> {
    const agreementId = String(agreement['@id']);
    // Most agreements carry no duty: not compiled for nothing (duties are `duty` / `obligation` in any form).
    if (!/duty|obligation/i.test(JSON.stringify(agreement))) return;
    const { policy } = await compilePolicy(agreement);
    const duties = agreementDuties(policy.policy);
    if (duties.length === 0) return;
    const now = this.clock();
    // The consumer reads every duty as its own: which ones the provider performs is the provider's to say.
    const abilities =
      record.role === 'provider'
        ? { canAnonymise, canInform: this.options.canInform === true }
        : { canAnonymise: false, canInform: false };
    const recorded = await this.options.obligations.record(
      agreementId,
      duties,
      {
        ...(policy.policy !== undefined ? { policy: policy.policy } : {}),
        firstUseAt: now,
        performerOf: (duty) => performerOf(duty, abilities),
        deadlineOf: (_duty, rule) => calendarDeadline(rule, now),
      },
      { tx },
    );
    for (const obligation of recorded) {
      await this.log.append(
        'duty',
        agreementId,
        {
          role: record.role,
          key: obligation.key,
          action: obligation.action,
          performer: obligation.performer,
          state: obligation.state,
          ...(obligation.deadline !== undefined ? { deadline: obligation.deadline } : {}),
        },
        { tx },
      );
    }
  }

  /** Logs the duties of `agreementId` whose state changed since they were last logged. */
  private syncDuties(agreementId: string): Promise<void> {
    const previous = this.dutySyncs.get(agreementId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const obligations = await this.options.obligations.list(agreementId);
        if (obligations.length === 0) return;
        const logged = await this.log.entries({ subject: agreementId, kind: 'duty', limit: 100_000 });
        const last = new Map<string, string>();
        for (const entry of logged) {
          const data = entry.data as { key?: unknown; state?: unknown };
          if (typeof data.key === 'string' && typeof data.state === 'string') last.set(data.key, data.state);
        }
        for (const o of obligations) {
          if (last.get(o.key) === o.state) continue;
          await this.log.append('duty', agreementId, {
            key: o.key,
            action: o.action,
            performer: o.performer,
            state: o.state,
            ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
          });
        }
      })
      .finally(() => {
        if (this.dutySyncs.get(agreementId) === next) this.dutySyncs.delete(agreementId);
      });
    this.dutySyncs.set(agreementId, next);
    return next;
  }

  // ---- helpers ----

  private agreementEntry(
    record: NegotiationRecord,
    agreement: Readonly<Record<string, unknown>>,
    digest: string,
    providerSignature: string | null,
  ): Record<string, unknown> {
    const small = Buffer.byteLength(JSON.stringify(agreement), 'utf8') <= MAX_LOGGED_AGREEMENT_BYTES;
    return {
      role: record.role,
      negotiationId: record.id,
      provider: agreement.assigner ?? null,
      consumer: agreement.assignee ?? null,
      ...(small ? { agreement } : {}),
      digest,
      providerSignature,
    };
  }

  private agreementOf(record: NegotiationRecord): Readonly<Record<string, unknown>> {
    if (record.agreement === null) throw new Error(`negotiation ${record.id} holds no agreement`);
    return record.agreement;
  }

  private attached(): AttachedControlPlane {
    if (this.plane === undefined) throw new Error('ConnectorEvidence.attach() was not called');
    return this.plane;
  }

  private track(work: Promise<unknown>): void {
    const task = work.catch(this.onError).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }
}
