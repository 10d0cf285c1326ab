// The 65 enabled scenarios of the DSP TCK (eclipse-dataspacetck/dsp-tck, DSP 2025-1: dsp-metadata,
// dsp-catalog, dsp-contract-negotiation, dsp-transfer-process), each under its TCK id and display name,
// each doing on the wire what its Java test does (the pipeline steps, in order) and checking what it
// checks. Where the TCK's mock records an action (ProviderActions / ConsumerActions: "the provider
// offers", "the consumer verifies", "the provider starts the transfer", ...), that is a step the
// connector under test takes: here its operator takes it with the management API, since the
// connector runs with `automation: "none"` and would otherwise send nothing.
import { randomUUID } from 'node:crypto';
import {
  DCAT,
  DSPACE,
  TCK_PARTICIPANT,
  TCK_TOKEN,
  checkAnswer,
  expanded,
  tckMessages as M,
  type Json,
} from './counterparty.js';
import type { Driver } from './driver.js';

export interface Scenario {
  /** The TCK's id, e.g. "CN:01-03". */
  readonly id: string;
  /** The TCK's @DisplayName. */
  readonly name: string;
  readonly run: (d: Driver) => Promise<void>;
}

// ---- the connector under test as provider (CN, TP): the TCK is the consumer ----

interface Pids {
  readonly consumerPid: string;
  readonly providerPid: string;
}

/** sendRequestMessage: a ContractRequestMessage with the TCK's callback; the answer names the providerPid. */
async function cnRequest(d: Driver): Promise<Pids> {
  const consumerPid = randomUUID();
  d.pids.push(consumerPid);
  const answer = await d.send(
    '/negotiations/request',
    M.contractRequest(consumerPid, d.ids.offerId, d.ids.datasetId, d.party.url),
  );
  return { consumerPid, providerPid: await d.pidOf(answer, 'providerPid') };
}

/** A message the provider sends to the TCK consumer (offers, agreement, events, termination). */
async function fromProvider(d: Driver, n: Pids, step: string, eventType?: string): Promise<void> {
  const message = await d.expect('negotiations', n.consumerPid, step);
  await samePids(message.body, n);
  if (eventType !== undefined && message.body.eventType !== eventType) {
    throw new Error(`expected the ${eventType} event, got ${String(message.body.eventType)}`);
  }
}

const provider = {
  offer: (d: Driver, n: Pids) => d.operator('negotiations', n.providerPid, 'offer'),
  agree: (d: Driver, n: Pids) => d.operator('negotiations', n.providerPid, 'agree'),
  finalize: (d: Driver, n: Pids) => d.operator('negotiations', n.providerPid, 'finalize'),
  terminate: (d: Driver, n: Pids) =>
    d.operator('negotiations', n.providerPid, 'terminate', { reason: 'TCK scenario' }),
};

const toProvider = {
  accept: (d: Driver, n: Pids) =>
    d.send(`/negotiations/${n.providerPid}/events`, M.event(n.providerPid, n.consumerPid, 'ACCEPTED')),
  async verify(d: Driver, n: Pids, expectError = false) {
    await d.pause();
    await d.send(
      `/negotiations/${n.providerPid}/agreement/verification`,
      M.verification(n.providerPid, n.consumerPid),
      expectError,
    );
  },
  async terminate(d: Driver, n: Pids, expectError = false) {
    await d.pause();
    await d.send(
      `/negotiations/${n.providerPid}/termination`,
      M.negotiationTermination(n.providerPid, n.consumerPid),
      expectError,
    );
  },
  counterOffer: (d: Driver, n: Pids, offerId: string, target: string, expectError = false) =>
    d.send(
      `/negotiations/${n.providerPid}/request`,
      M.counterOffer(n.providerPid, n.consumerPid, offerId, d.cut.did, target),
      expectError,
    ),
};

/** The negotiation up to the provider's offer (recordContractRequestedAction(postOffer)). */
async function cnOffered(d: Driver): Promise<Pids> {
  const n = await cnRequest(d);
  await provider.offer(d, n);
  await fromProvider(d, n, 'offers');
  return n;
}

/** The negotiation up to the provider's agreement (recordContractRequestedAction(postAgreed)). */
async function cnAgreed(d: Driver): Promise<Pids> {
  const n = await cnRequest(d);
  await provider.agree(d, n);
  await fromProvider(d, n, 'agreement');
  return n;
}

// ---- transfers, the connector under test as provider ----

async function tpRequest(d: Driver): Promise<Pids> {
  const consumerPid = randomUUID();
  d.pids.push(consumerPid);
  const answer = await d.send(
    '/transfers/request',
    M.transferRequest(consumerPid, d.ids.agreementId, d.ids.format, d.party.url),
  );
  return { consumerPid, providerPid: await d.pidOf(answer, 'providerPid') };
}

const tpProvider = {
  async step(d: Driver, t: Pids, action: string, message: string) {
    await d.operator(
      'transfers',
      t.providerPid,
      action,
      action === 'terminate' ? { reason: 'TCK scenario' } : {},
    );
    const received = await d.expect('transfers', t.consumerPid, message);
    await samePids(received.body, t);
  },
};

const toTransferProvider = (
  d: Driver,
  t: Pids,
  step: 'termination' | 'completion' | 'suspension' | 'start',
  expectError = false,
) => d.send(`/transfers/${t.providerPid}/${step}`, transferMessage(step, t), expectError);

/** The transfer up to the provider's start (recordTransferRequestedAction(postStartTransfer)). */
async function tpStarted(d: Driver): Promise<Pids> {
  const t = await tpRequest(d);
  await tpProvider.step(d, t, 'start', 'start');
  await d.awaitState('transfers', t.providerPid, 'STARTED');
  return t;
}

function transferMessage(step: string, t: Pids, dataAddress?: Json): Json {
  switch (step) {
    case 'termination':
      return M.transferTermination(t.providerPid, t.consumerPid);
    case 'completion':
      return M.transferCompletion(t.providerPid, t.consumerPid);
    case 'suspension':
      return M.transferSuspension(t.providerPid, t.consumerPid);
    default:
      return M.transferStart(t.providerPid, t.consumerPid, dataAddress);
  }
}

// ---- the connector under test as consumer (CN_C, TP_C): the TCK is the provider ----

interface ConsumerSide extends Pids {
  /** The consumer's callback address (where the TCK sends its messages and GETs the state). */
  readonly callback: string;
}

/** initiateRequest: the hook, then the ContractRequestMessage the connector sends the TCK provider. */
async function cncStart(d: Driver): Promise<ConsumerSide> {
  await d.hook('/tck/negotiations/requests', {
    providerId: TCK_PARTICIPANT,
    offerId: d.ids.offerId,
    datasetId: d.ids.datasetId,
    connectorAddress: d.party.url,
  });
  const request = await d.expectRequest(
    'negotiations',
    (body) => (body.offer as Json | undefined)?.['@id'] === d.ids.offerId,
  );
  return consumerSide(d, request.body, request.answer);
}

async function tpcStart(d: Driver): Promise<ConsumerSide> {
  await d.hook('/tck/transfers/requests', {
    providerId: TCK_PARTICIPANT,
    agreementId: d.ids.agreementId,
    format: d.ids.format,
    connectorAddress: d.party.url,
  });
  const request = await d.expectRequest('transfers', (body) => body.agreementId === d.ids.agreementId);
  return consumerSide(d, request.body, request.answer);
}

async function consumerSide(d: Driver, request: Json, answer: Json | undefined): Promise<ConsumerSide> {
  const node = await expanded(request);
  const consumerPid = (node[`${DSPACE}consumerPid`] as Json[] | undefined)?.[0]?.['@id'];
  const callback =
    (node[`${DSPACE}callbackAddress`] as Json[] | undefined)?.[0]?.['@value'] ??
    (node[`${DSPACE}callbackAddress`] as Json[] | undefined)?.[0]?.['@id'];
  if (typeof consumerPid !== 'string' || typeof callback !== 'string') {
    throw new Error(`the request lacks its consumerPid or callbackAddress: ${JSON.stringify(request)}`);
  }
  const providerPid = String(answer?.providerPid);
  d.pids.push(consumerPid, providerPid);
  return { consumerPid, providerPid, callback };
}

const toConsumer = {
  offer: (d: Driver, c: ConsumerSide, expectError = false) =>
    d.send(
      `${c.callback}/negotiations/${c.consumerPid}/offers`,
      M.offer(c.providerPid, c.consumerPid, d.ids.offerId, d.cut.did, d.ids.datasetId),
      expectError,
    ),
  agreement: (d: Driver, c: ConsumerSide, expectError = false) =>
    d.send(
      `${c.callback}/negotiations/${c.consumerPid}/agreement`,
      M.agreement(c.providerPid, c.consumerPid, d.cut.did, d.ids.datasetId, d.party.url),
      expectError,
    ),
  finalized: (d: Driver, c: ConsumerSide, expectError = false) =>
    d.send(
      `${c.callback}/negotiations/${c.consumerPid}/events`,
      M.event(c.providerPid, c.consumerPid, 'FINALIZED'),
      expectError,
    ),
  async terminate(d: Driver, c: ConsumerSide) {
    await d.pause();
    await d.send(
      `${c.callback}/negotiations/${c.consumerPid}/termination`,
      M.negotiationTermination(c.providerPid, c.consumerPid),
    );
  },
};

/** A step of the consumer's operator and the message it makes the connector send the TCK provider. */
async function consumerStep(
  d: Driver,
  c: ConsumerSide,
  kind: 'negotiations' | 'transfers',
  action: string,
  step: string,
  body: Json = {},
) {
  await d.operator(kind, c.consumerPid, action, body);
  const received = await d.expect(kind, c.providerPid, step);
  await samePids(received.body, c);
  return received;
}

const cnState = (d: Driver, c: ConsumerSide, state: string) =>
  d.verifyState('negotiations', c.consumerPid, state, c.callback);
const tpState = (d: Driver, c: ConsumerSide, state: string) =>
  d.awaitState('transfers', c.consumerPid, state, c.callback);

const toTransferConsumer = (
  d: Driver,
  c: ConsumerSide,
  step: 'termination' | 'completion' | 'suspension' | 'start',
  expectError = false,
) =>
  d.send(
    `${c.callback}/transfers/${c.consumerPid}/${step}`,
    transferMessage(step, c, step === 'start' && !expectError ? M.dataAddress() : undefined),
    expectError,
  );

/** The transfer up to the TCK provider's start, as the consumer sees it. */
async function tpcStarted(d: Driver): Promise<ConsumerSide> {
  const c = await tpcStart(d);
  await toTransferConsumer(d, c, 'start');
  await tpState(d, c, 'STARTED');
  return c;
}

/** Both pids of a received message are the process's (the TCK looks its process up by them). */
async function samePids(body: Json, pids: Pids): Promise<void> {
  const node = await expanded(body);
  for (const name of ['consumerPid', 'providerPid'] as const) {
    const value = (node[`${DSPACE}${name}`] as Json[] | undefined)?.[0]?.['@id'];
    if (value !== pids[name])
      throw new Error(`the message names ${name} ${String(value)}, not ${pids[name]}`);
  }
}

// ---- the scenarios ----

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'MET:01-01',
    name: 'Verify metadata request',
    async run(d) {
      const response = await fetch(`${d.cut.url}/.well-known/dspace-version`);
      const body = (await response.json()) as Json;
      checkAnswer(response.status, false, 'GET /.well-known/dspace-version', body);
      const versions = body.protocolVersions as Json[] | undefined;
      const match = versions?.find((v) => v.version === '2025-1' && v.path != null && v.binding != null);
      if (match === undefined)
        throw new Error(`no 2025-1 version with path and binding: ${JSON.stringify(body)}`);
    },
  },
  {
    id: 'CAT:01-01',
    name: 'Verify catalog request',
    async run(d) {
      const catalog = await expanded(await d.send('/catalog/request', M.catalogRequest()));
      const datasets = catalog[`${DCAT}dataset`] as Json[] | undefined;
      if (!datasets?.some((ds) => ds['@id'] === d.ids.datasetId)) {
        throw new Error(
          `the catalog has no dataset ${d.ids.datasetId}: ${JSON.stringify(datasets?.map((ds) => ds['@id']))}`,
        );
      }
    },
  },
  {
    id: 'CAT:01-02',
    name: 'Verify dataset request',
    async run(d) {
      const response = await fetch(`${d.cut.dsp}/catalog/datasets/${d.ids.datasetId}`, {
        headers: { authorization: `Bearer ${TCK_TOKEN}` },
      });
      const body = (await response.json()) as Json;
      checkAnswer(response.status, false, 'GET catalog/datasets', body);
      const dataset = await expanded(body);
      if (dataset['@id'] !== d.ids.datasetId) throw new Error(`dataset @id ${String(dataset['@id'])}`);
    },
  },
  {
    id: 'CAT:01-03',
    name: 'Verify dataset request not found',
    async run(d) {
      // The TCK's CAT_01_03_DATASETID defaults to a random UUID: a dataset the connector does not have.
      const response = await fetch(`${d.cut.dsp}/catalog/datasets/${randomUUID()}`, {
        headers: { authorization: `Bearer ${TCK_TOKEN}` },
      });
      const error = await expanded((await response.json()) as Json);
      const types = error['@type'] as string[] | undefined;
      if (types?.length !== 1 || types[0] !== `${DSPACE}CatalogError`) {
        throw new Error(`expected a CatalogError, got ${response.status} ${JSON.stringify(error)}`);
      }
    },
  },

  // ---- dsp-contract-negotiation, provider (ContractNegotiationProvider01..03Test) ----
  {
    id: 'CN:01-01',
    name: 'Verify contract request, offer received, consumer terminated',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.terminate(d, n);
      await d.verifyState('negotiations', n.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'CN:01-02',
    name: 'Verify contract request, offer received, consumer counter-offer, provider terminated',
    async run(d) {
      const n = await cnOffered(d);
      // The TCK's literal ids for this counter-offer (not configurable).
      await toProvider.counterOffer(d, n, 'CD123:ACN0102:456', 'ACN0102');
      await provider.terminate(d, n);
      await fromProvider(d, n, 'termination');
    },
  },
  {
    id: 'CN:01-03',
    name: 'Verify contract request, offer received, consumer accepted, provider agreement, consumer verified, provider finalized',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.accept(d, n);
      await provider.agree(d, n);
      await fromProvider(d, n, 'agreement');
      await toProvider.verify(d, n);
      await provider.finalize(d, n);
      await fromProvider(d, n, 'events', 'FINALIZED');
    },
  },
  {
    id: 'CN:01-04',
    name: 'Verify contract request, provider agreement, consumer verified, provider finalized',
    async run(d) {
      const n = await cnAgreed(d);
      await toProvider.verify(d, n);
      await provider.finalize(d, n);
      await fromProvider(d, n, 'events', 'FINALIZED');
    },
  },
  {
    id: 'CN:02-01',
    name: 'Verify contract request, provider terminated',
    async run(d) {
      const n = await cnRequest(d);
      await provider.terminate(d, n);
      await fromProvider(d, n, 'termination');
    },
  },
  {
    id: 'CN:02-02',
    name: 'Verify contract request, consumer terminated',
    async run(d) {
      const n = await cnRequest(d);
      await toProvider.terminate(d, n);
      await d.verifyState('negotiations', n.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'CN:02-03',
    name: 'Verify contract request, provider agreement, consumer terminated',
    async run(d) {
      const n = await cnAgreed(d);
      await toProvider.terminate(d, n);
      await d.verifyState('negotiations', n.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'CN:02-04',
    name: 'Verify contract request, offer received, consumer terminated',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.terminate(d, n);
      await d.verifyState('negotiations', n.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'CN:02-05',
    name: 'Verify contract request, offer received, provider terminated',
    async run(d) {
      const n = await cnOffered(d);
      await d.pause(100);
      await provider.terminate(d, n);
      await fromProvider(d, n, 'termination');
    },
  },
  {
    id: 'CN:02-06',
    name: 'Verify contract request, offer received, consumer accepted, provider terminated',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.accept(d, n);
      await provider.terminate(d, n);
      await fromProvider(d, n, 'termination');
    },
  },
  {
    id: 'CN:02-07',
    name: 'Verify contract request, provider agreement, consumer verified, provider terminated',
    async run(d) {
      const n = await cnAgreed(d);
      await toProvider.verify(d, n);
      await provider.terminate(d, n);
      await fromProvider(d, n, 'termination');
    },
  },
  {
    id: 'CN:03-01',
    name: 'Verify contract request, provider agreement, consumer verified, provider finalized, invalid consumer terminated',
    async run(d) {
      const n = await cnAgreed(d);
      await toProvider.verify(d, n);
      await provider.finalize(d, n);
      await fromProvider(d, n, 'events', 'FINALIZED');
      await d.verifyState('negotiations', n.providerPid, 'FINALIZED');
      await toProvider.terminate(d, n, true);
    },
  },
  {
    id: 'CN:03-02',
    name: 'Verify contract request, offer received, invalid consumer verified',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.verify(d, n, true);
    },
  },
  {
    id: 'CN:03-03',
    name: 'Verify contract request, offer received, consumer accepted, illegal consumer verified',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.accept(d, n);
      await toProvider.verify(d, n, true);
    },
  },
  {
    id: 'CN:03-04',
    name: 'Verify contract request, offer received, consumer counter-offer (x2), provider terminated',
    async run(d) {
      const n = await cnOffered(d);
      await toProvider.counterOffer(d, n, d.ids.offerId, d.ids.datasetId);
      await toProvider.counterOffer(d, n, d.ids.offerId, d.ids.datasetId, true);
    },
  },

  // ---- dsp-contract-negotiation, consumer (ContractNegotiationConsumer01..03Test) ----
  {
    id: 'CN_C:01-01',
    name: 'Verify contract request, offer received, consumer accepted, provider agreed, consumer verified, provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'accept', 'events');
      await toConsumer.agreement(d, c);
      await consumerStep(d, c, 'negotiations', 'verify', 'agreement/verification');
      await toConsumer.finalized(d, c);
      await cnState(d, c, 'FINALIZED');
    },
  },
  {
    id: 'CN_C:01-02',
    name: 'Verify contract request, offer received, consumer counter-offer, provider terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      const offer = (await d.record('negotiations', c.consumerPid)).offer;
      await consumerStep(d, c, 'negotiations', 'request', 'request', { offer });
      await toConsumer.terminate(d, c);
    },
  },
  {
    id: 'CN_C:01-03',
    name: 'Verify contract request, offer received, consumer terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'terminate', 'termination', { reason: 'TCK scenario' });
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:01-04',
    name: 'Verify contract request, provider agreement, consumer verified, provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.agreement(d, c);
      await consumerStep(d, c, 'negotiations', 'verify', 'agreement/verification');
      await toConsumer.finalized(d, c);
      await cnState(d, c, 'FINALIZED');
    },
  },
  {
    id: 'CN_C:02-01',
    name: 'Verify contract request, provider terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.terminate(d, c);
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:02-02',
    name: 'Verify contract request, consumer terminated',
    async run(d) {
      const c = await cncStart(d);
      // postRequest, pause, postTerminated: the operator terminates once the request is answered.
      await d.counterpartyPidKnown('negotiations', c.consumerPid, 'providerPid');
      await d.pause(100);
      await consumerStep(d, c, 'negotiations', 'terminate', 'termination', { reason: 'TCK scenario' });
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:02-03',
    name: 'Verify contract request, provider agreement, consumer terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.agreement(d, c);
      await consumerStep(d, c, 'negotiations', 'terminate', 'termination', { reason: 'TCK scenario' });
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:02-04',
    name: 'Verify contract request, offer received, provider terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await cnState(d, c, 'OFFERED');
      await toConsumer.terminate(d, c);
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:02-05',
    name: 'Verify contract request, offer received, consumer accepted, provider terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'accept', 'events');
      await toConsumer.terminate(d, c);
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:02-06',
    name: 'Verify contract request, provider agreement, consumer verified, provider terminated',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.agreement(d, c);
      await consumerStep(d, c, 'negotiations', 'verify', 'agreement/verification');
      await toConsumer.terminate(d, c);
      await cnState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'CN_C:03-01',
    name: 'Verify contract request, invalid provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.finalized(d, c, true);
      await cnState(d, c, 'REQUESTED');
    },
  },
  {
    id: 'CN_C:03-02',
    name: 'Verify contract request, offer received, invalid provider agreed',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await cnState(d, c, 'OFFERED');
      await toConsumer.agreement(d, c, true);
      await cnState(d, c, 'OFFERED');
    },
  },
  {
    id: 'CN_C:03-03',
    name: 'Verify contract request, offer received, invalid provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await toConsumer.finalized(d, c, true);
      await cnState(d, c, 'OFFERED');
    },
  },
  {
    id: 'CN_C:03-04',
    name: 'Verify contract request, offer received, consumer accepted, invalid provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'accept', 'events');
      await toConsumer.finalized(d, c, true);
      await cnState(d, c, 'ACCEPTED');
    },
  },
  {
    id: 'CN_C:03-05',
    name: 'Verify contract request, offer received, consumer accepted, invalid provider offer',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'accept', 'events');
      await toConsumer.offer(d, c, true);
      await cnState(d, c, 'ACCEPTED');
    },
  },
  {
    id: 'CN_C:03-06',
    name: 'Verify contract request, offer received, consumer accepted, provider agreed, invalid provider finalized',
    async run(d) {
      const c = await cncStart(d);
      await toConsumer.offer(d, c);
      await consumerStep(d, c, 'negotiations', 'accept', 'events');
      await toConsumer.agreement(d, c);
      await toConsumer.finalized(d, c, true);
      await cnState(d, c, 'AGREED');
    },
  },

  // ---- dsp-transfer-process, provider (TransferProcessProvider01..03Test; TP:02-04 is @Disabled) ----
  {
    id: 'TP:01-01',
    name: 'Verify transfer request, provider started, provider terminated',
    async run(d) {
      const t = await tpRequest(d);
      await tpProvider.step(d, t, 'start', 'start');
      await d.pause();
      await tpProvider.step(d, t, 'terminate', 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:01-02',
    name: 'Verify transfer request, provider started, provider completed',
    async run(d) {
      const t = await tpRequest(d);
      await tpProvider.step(d, t, 'start', 'start');
      await d.pause();
      await tpProvider.step(d, t, 'complete', 'completion');
      await d.awaitState('transfers', t.providerPid, 'COMPLETED');
    },
  },
  {
    id: 'TP:01-03',
    name: 'Verify transfer request, provider started, provider suspended, provider terminated',
    async run(d) {
      const t = await tpRequest(d);
      await tpProvider.step(d, t, 'start', 'start');
      await d.pause();
      await tpProvider.step(d, t, 'suspend', 'suspension');
      await d.pause();
      await tpProvider.step(d, t, 'terminate', 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:01-04',
    name: 'Verify transfer request, provider started, provider suspended, provider started, provider completed',
    async run(d) {
      const t = await tpRequest(d);
      await tpProvider.step(d, t, 'start', 'start');
      await d.pause();
      await tpProvider.step(d, t, 'suspend', 'suspension');
      await d.pause();
      await tpProvider.step(d, t, 'resume', 'start');
      await d.pause();
      await tpProvider.step(d, t, 'complete', 'completion');
      await d.awaitState('transfers', t.providerPid, 'COMPLETED');
    },
  },
  {
    id: 'TP:01-05',
    name: 'Verify transfer request, provider terminated',
    async run(d) {
      const t = await tpRequest(d);
      await tpProvider.step(d, t, 'terminate', 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:02-01',
    name: 'Verify transfer request, provider started, consumer terminated',
    async run(d) {
      const t = await tpStarted(d);
      await toTransferProvider(d, t, 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:02-02',
    name: 'Verify transfer request, provider started, consumer completed',
    async run(d) {
      const t = await tpStarted(d);
      await toTransferProvider(d, t, 'completion');
      await d.awaitState('transfers', t.providerPid, 'COMPLETED');
    },
  },
  {
    id: 'TP:02-03',
    name: 'Verify transfer request, provider started, consumer suspended, consumer terminated',
    async run(d) {
      const t = await tpStarted(d);
      await toTransferProvider(d, t, 'suspension');
      await d.awaitState('transfers', t.providerPid, 'SUSPENDED');
      await toTransferProvider(d, t, 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:02-05',
    name: 'Verify transfer request, consumer terminated',
    async run(d) {
      const t = await tpRequest(d);
      await d.awaitState('transfers', t.providerPid, 'REQUESTED');
      await toTransferProvider(d, t, 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  },
  {
    id: 'TP:03-01',
    name: 'Verify transfer request, consumer completed',
    async run(d) {
      const t = await tpRequest(d);
      await d.awaitState('transfers', t.providerPid, 'REQUESTED');
      await toTransferProvider(d, t, 'completion', true);
      await d.awaitState('transfers', t.providerPid, 'REQUESTED');
    },
  },
  {
    id: 'TP:03-02',
    name: 'Verify transfer request, consumer suspended',
    async run(d) {
      const t = await tpRequest(d);
      await d.awaitState('transfers', t.providerPid, 'REQUESTED');
      await toTransferProvider(d, t, 'suspension', true);
      await d.awaitState('transfers', t.providerPid, 'REQUESTED');
    },
  },
  {
    id: 'TP:03-03',
    name: 'Verify transfer request, provider started, consumer suspended, consumer completed',
    async run(d) {
      const t = await tpStarted(d);
      await toTransferProvider(d, t, 'suspension');
      await d.awaitState('transfers', t.providerPid, 'SUSPENDED');
      await toTransferProvider(d, t, 'completion', true);
      await d.awaitState('transfers', t.providerPid, 'SUSPENDED');
    },
  },
  ...(['start', 'suspension', 'completion'] as const).map((step, i): Scenario => ({
    id: `TP:03-0${i + 4}`,
    name: `Verify transfer request, provider started, consumer terminated, consumer ${{ start: 'started', suspension: 'suspended', completion: 'completed' }[step]}`,
    async run(d) {
      const t = await tpStarted(d);
      await toTransferProvider(d, t, 'termination');
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
      await toTransferProvider(d, t, step, true);
      await d.awaitState('transfers', t.providerPid, 'TERMINATED');
    },
  })),

  // ---- dsp-transfer-process, consumer (TransferProcessConsumer01..03Test; TP_C:02-04 is @Disabled) ----
  {
    id: 'TP_C:01-01',
    name: 'Verify transfer request, provider started, provider terminated',
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'termination');
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:01-02',
    name: 'Verify transfer request, provider started, provider completed',
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'completion');
      await tpState(d, c, 'COMPLETED');
    },
  },
  {
    id: 'TP_C:01-03',
    name: 'Verify transfer request, provider started, provider suspended, provider terminated',
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'suspension');
      await tpState(d, c, 'SUSPENDED');
      await toTransferConsumer(d, c, 'termination');
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:01-04',
    name: 'Verify transfer request, provider started, provider suspended, provider started, provider completed',
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'suspension');
      await tpState(d, c, 'SUSPENDED');
      await toTransferConsumer(d, c, 'start');
      await tpState(d, c, 'STARTED');
      await toTransferConsumer(d, c, 'completion');
      await tpState(d, c, 'COMPLETED');
    },
  },
  {
    id: 'TP_C:01-05',
    name: 'Verify transfer request, provider terminated',
    async run(d) {
      const c = await tpcStart(d);
      await toTransferConsumer(d, c, 'termination');
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:02-01',
    name: 'Verify transfer request, provider started, consumer terminated',
    async run(d) {
      const c = await tpcStart(d);
      await toTransferConsumer(d, c, 'start');
      await consumerStep(d, c, 'transfers', 'terminate', 'termination', { reason: 'TCK scenario' });
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:02-02',
    name: 'Verify transfer request, provider started, consumer completed',
    async run(d) {
      const c = await tpcStart(d);
      await toTransferConsumer(d, c, 'start');
      await consumerStep(d, c, 'transfers', 'complete', 'completion');
      await tpState(d, c, 'COMPLETED');
    },
  },
  {
    id: 'TP_C:02-03',
    name: 'Verify transfer request, provider started, consumer suspended, consumer terminated',
    async run(d) {
      const c = await tpcStart(d);
      await toTransferConsumer(d, c, 'start');
      await consumerStep(d, c, 'transfers', 'suspend', 'suspension');
      await d.pause();
      await consumerStep(d, c, 'transfers', 'terminate', 'termination', { reason: 'TCK scenario' });
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:02-05',
    name: 'Verify transfer request, consumer terminated',
    async run(d) {
      const c = await tpcStart(d);
      // postTransferRequest, pause, postTerminate: the operator terminates once the request is answered.
      await d.counterpartyPidKnown('transfers', c.consumerPid, 'providerPid');
      await d.pause();
      await consumerStep(d, c, 'transfers', 'terminate', 'termination', { reason: 'TCK scenario' });
      await tpState(d, c, 'TERMINATED');
    },
  },
  {
    id: 'TP_C:03-01',
    name: 'Verify transfer request, provider completed',
    async run(d) {
      const c = await tpcStart(d);
      await tpState(d, c, 'REQUESTED');
      await toTransferConsumer(d, c, 'completion', true);
      await tpState(d, c, 'REQUESTED');
    },
  },
  {
    id: 'TP_C:03-02',
    name: 'Verify transfer request, provider suspended',
    async run(d) {
      const c = await tpcStart(d);
      await tpState(d, c, 'REQUESTED');
      await toTransferConsumer(d, c, 'suspension', true);
      await tpState(d, c, 'REQUESTED');
    },
  },
  {
    id: 'TP_C:03-03',
    name: 'Verify transfer request, provider started, provider suspended, provider completed',
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'suspension');
      await tpState(d, c, 'SUSPENDED');
      await toTransferConsumer(d, c, 'completion', true);
      await tpState(d, c, 'SUSPENDED');
    },
  },
  ...(['start', 'suspension', 'completion'] as const).map((step, i): Scenario => ({
    id: `TP_C:03-0${i + 4}`,
    name: `Verify transfer request, provider started, provider terminated, provider ${{ start: 'started', suspension: 'suspended', completion: 'completed' }[step]}`,
    async run(d) {
      const c = await tpcStarted(d);
      await toTransferConsumer(d, c, 'termination');
      await tpState(d, c, 'TERMINATED');
      await toTransferConsumer(d, c, step, true);
      await tpState(d, c, 'TERMINATED');
    },
  })),
];
