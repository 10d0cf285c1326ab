// The counterparty of the conformance scenarios, played the way the DSP TCK plays it: a real HTTP
// server on 127.0.0.1 (its callback address) that records every DSP message the connector under test
// sends it and answers like the TCK's mock connectors, and a client that sends the TCK's messages
// (dsp-api NegotiationFunctions / TransferFunctions, same fields, plain UUID ids, the DSP 2025-1
// context) with the TCK's static Authorization header. Every answer it gives and every message it
// sends waits `delay()` first: 0 for the fast variants, 1–2 s for the slow ones (the Java TCK and real
// peers take that long), so no scenario passes by timing.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsonld from 'jsonld';
import { DSP_DOCUMENT_LOADER } from '../../../connector/dsp/messages/loader.js';
import { isDspSchemaName, validateDspMessage } from '../../../connector/dsp/messages/validate.js';

export const TCK_PARTICIPANT = 'TCK_PARTICIPANT';
export const TCK_TOKEN = 'tck-static-token-0123456789';
export const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';
export const DSPACE = 'https://w3id.org/dspace/2025/1/';
export const DCAT = 'http://www.w3.org/ns/dcat#';

export type Json = Record<string, unknown>;

/** One message the connector under test sent the counterparty. */
export interface Inbound {
  readonly path: string;
  readonly body: Json;
  /** What the counterparty answers (initial requests: the process it created). */
  readonly answer: Json | undefined;
  consumed: boolean;
}

/** A process the counterparty holds as the TCK provider (CN_C, TP_C): its pid and the consumer's. */
export interface CounterpartyProcess {
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly callbackAddress: string;
  readonly request: Json;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The answer delay of the slow variants: uniformly 1–2 s. */
export const slowDelay = (): number => 1000 + Math.floor(Math.random() * 1000);

export class Counterparty {
  readonly inbound: Inbound[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly delay: () => number,
  ) {}

  static async start(delay: () => number): Promise<Counterparty> {
    const server = createServer();
    const party = new Counterparty(server, delay);
    server.on('request', (req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          let body: Json;
          try {
            body = text ? (JSON.parse(text) as Json) : {};
          } catch {
            body = { unparsable: text };
          }
          const path = (req.url ?? '').replace(/\/+$/, '');
          const answer = await party.answerFor(path, body);
          // As in the TCK, the message is handled on arrival and the scenario goes on at once (its
          // CallbackEndpoint runs the handler, then writes the answer), while the answer is late.
          party.record({ path, body, answer: answer?.body, consumed: false });
          await sleep(party.delay());
          if (answer === undefined) res.writeHead(200).end();
          else
            res
              .writeHead(answer.status, { 'content-type': 'application/json' })
              .end(JSON.stringify(answer.body));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return party;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * The TCK's mock answers: an initial request creates its process (201, ContractNegotiation or
   * TransferProcess REQUESTED with a fresh UUID pid); an offer is answered with the negotiation
   * OFFERED; every other message is acknowledged without a body.
   */
  private async answerFor(path: string, body: Json): Promise<{ status: number; body: Json } | undefined> {
    const consumerPid = String(body.consumerPid ?? '');
    if (path === '/negotiations/request' || path === '/transfers/request') {
      const type = path === '/negotiations/request' ? 'ContractNegotiation' : 'TransferProcess';
      return {
        status: 201,
        body: await compacted(processMessage(type, randomUUID(), consumerPid, 'REQUESTED')),
      };
    }
    if (/^\/negotiations\/[^/]+\/offers$/.test(path)) {
      const providerPid = String(body.providerPid ?? '');
      return {
        status: 200,
        body: await compacted(processMessage('ContractNegotiation', providerPid, consumerPid, 'OFFERED')),
      };
    }
    return undefined;
  }

  private record(message: Inbound): void {
    this.inbound.push(message);
    for (const wake of [...this.waiters]) wake();
  }

  /** The first message not yet taken that `matches`, once it has arrived. */
  async take(what: string, matches: (m: Inbound) => boolean, timeoutMs: number): Promise<Inbound> {
    const find = () => this.inbound.find((m) => !m.consumed && matches(m));
    let found = find();
    if (found === undefined) {
      found = await new Promise<Inbound>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters.delete(wake);
          reject(new Error(`the counterparty received no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        const wake = () => {
          const hit = find();
          if (hit === undefined) return;
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve(hit);
        };
        this.waiters.add(wake);
      });
    }
    found.consumed = true;
    return found;
  }

  /** Messages about `pids` that no step of the scenario expected. */
  unexpected(pids: readonly string[]): Inbound[] {
    return this.inbound.filter(
      (m) =>
        !m.consumed &&
        pids.some((p) => m.path.includes(`/${p}/`) || m.path.endsWith(`/${p}`) || m.body.consumerPid === p),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

// ---- the TCK's messages (dsp-api NegotiationFunctions and TransferFunctions) ----

function base(type: string): Json {
  return { '@context': [DSP_CONTEXT], '@id': randomUUID(), '@type': type };
}

function processMessage(type: string, providerPid: string, consumerPid: string, state: string): Json {
  return { ...base(type), providerPid, consumerPid, state };
}

const USE = { action: 'use', constraint: [] };

export const tckMessages = {
  catalogRequest(): Json {
    return base('CatalogRequestMessage');
  },
  contractRequest(
    consumerPid: string,
    offerId: string,
    target: string,
    callbackAddress?: string,
    providerPid?: string,
  ): Json {
    return {
      ...base('ContractRequestMessage'),
      consumerPid,
      ...(providerPid !== undefined ? { providerPid } : {}),
      offer: { '@id': offerId, target, '@type': 'Offer', permission: [USE] },
      ...(callbackAddress !== undefined ? { callbackAddress } : {}),
    };
  },
  counterOffer(
    providerPid: string,
    consumerPid: string,
    offerId: string,
    assigner: string,
    target: string,
  ): Json {
    return {
      ...base('ContractRequestMessage'),
      providerPid,
      consumerPid,
      offer: offerPolicy(offerId, assigner, TCK_PARTICIPANT, target),
    };
  },
  offer(providerPid: string, consumerPid: string, offerId: string, assignee: string, target: string): Json {
    return {
      ...base('ContractOfferMessage'),
      providerPid,
      consumerPid,
      offer: offerPolicy(offerId, TCK_PARTICIPANT, assignee, target),
    };
  },
  agreement(
    providerPid: string,
    consumerPid: string,
    assignee: string,
    target: string,
    callbackAddress: string,
  ): Json {
    return {
      ...base('ContractAgreementMessage'),
      providerPid,
      consumerPid,
      agreement: {
        '@type': 'Agreement',
        '@id': randomUUID(),
        target,
        permission: [USE],
        timestamp: new Date().toISOString(),
        assignee,
        assigner: TCK_PARTICIPANT,
      },
      callbackAddress,
    };
  },
  event(providerPid: string, consumerPid: string, eventType: 'ACCEPTED' | 'FINALIZED'): Json {
    return { ...base('ContractNegotiationEventMessage'), providerPid, consumerPid, eventType };
  },
  verification(providerPid: string, consumerPid: string): Json {
    return { ...base('ContractAgreementVerificationMessage'), providerPid, consumerPid };
  },
  negotiationTermination(providerPid: string, consumerPid: string): Json {
    return { ...base('ContractNegotiationTerminationMessage'), providerPid, consumerPid, code: '1' };
  },
  transferRequest(consumerPid: string, agreementId: string, format: string, callbackAddress: string): Json {
    return { ...base('TransferRequestMessage'), consumerPid, agreementId, format, callbackAddress };
  },
  transferStart(providerPid: string, consumerPid: string, dataAddress?: Json): Json {
    return {
      ...base('TransferStartMessage'),
      providerPid,
      consumerPid,
      ...(dataAddress ? { dataAddress } : {}),
    };
  },
  transferCompletion(providerPid: string, consumerPid: string): Json {
    return { ...base('TransferCompletionMessage'), providerPid, consumerPid };
  },
  transferSuspension(providerPid: string, consumerPid: string): Json {
    return { ...base('TransferSuspensionMessage'), providerPid, consumerPid, code: '1' };
  },
  transferTermination(providerPid: string, consumerPid: string): Json {
    return { ...base('TransferTerminationMessage'), providerPid, consumerPid, code: '1' };
  },
  /** TransferFunctions.dataAddress(): what the TCK provider puts in its TransferStartMessage. */
  dataAddress(): Json {
    return {
      '@type': 'DataAddress',
      endpoint: 'http://example.com',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
    };
  },
};

function offerPolicy(offerId: string, assigner: string, assignee: string, target: string): Json {
  return { '@type': 'Offer', '@id': offerId, permission: [USE], target, assignee, assigner };
}

// ---- reading answers as the TCK does: JSON-LD expanded with the DSP context ----

type Expand = (input: unknown, options: unknown) => Promise<unknown>;
type Compact = (input: unknown, context: unknown, options: unknown) => Promise<unknown>;
const expand = jsonld.expand as unknown as Expand;
const compact = jsonld.compact as unknown as Compact;

/**
 * A message as the TCK puts it on the wire (MessageSerializer.serialize): compacted with the DSP
 * context, which also drops what the context does not define where it is used.
 */
export async function compacted(message: Json): Promise<Json> {
  const context = { '@context': [DSP_CONTEXT] };
  return (await compact(message, context, { documentLoader: DSP_DOCUMENT_LOADER })) as Json;
}

/**
 * The types the TCK's test classes register a schema for (Catalog01Test, AbstractContractNegotiationTest,
 * AbstractTransferProcessTest); any other type is only required to have a `@type`.
 */
const TCK_VALIDATED = new Set([
  'CatalogRequestMessage',
  'DatasetRequestMessage',
  'Catalog',
  'Dataset',
  'ContractRequestMessage',
  'ContractOfferMessage',
  'ContractAgreementMessage',
  'ContractAgreementVerificationMessage',
  'ContractNegotiationEventMessage',
  'ContractNegotiationTerminationMessage',
  'ContractNegotiation',
  'ContractNegotiationError',
  'TransferRequestMessage',
  'TransferStartMessage',
  'TransferProcess',
]);

/**
 * The first node of the body's expansion, after the checks the TCK makes on everything it reads
 * (MessageSerializer.expandAndDeserialize): a string `@type`, and the DSP 2025-1 schema of that type.
 */
export async function expanded(body: Json): Promise<Json> {
  const type = body['@type'];
  if (typeof type !== 'string') throw new Error(`no string @type: ${JSON.stringify(body).slice(0, 300)}`);
  if (TCK_VALIDATED.has(type) && isDspSchemaName(type)) {
    const problems = validateDspMessage(type, body);
    if (problems.length > 0) {
      throw new Error(
        `invalid ${type}: ${JSON.stringify(problems)} in ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
  }
  const nodes = (await expand(body, { documentLoader: DSP_DOCUMENT_LOADER })) as Json[];
  if (nodes[0] === undefined) throw new Error('the JSON-LD document expands to nothing');
  return nodes[0];
}

/** JsonLdFunctions.stringIdProperty: the `@id` (or value) of an expanded property. */
export function idProperty(node: Json, iri: string): string | undefined {
  const value = (node[iri] as Json[] | undefined)?.[0];
  if (value === undefined) return undefined;
  const id = value['@id'] ?? value['@value'];
  return typeof id === 'string' ? id : undefined;
}

/** What the TCK's HttpFunctions require of an answer. */
export function checkAnswer(status: number, expectError: boolean, what: string, body: unknown): void {
  const detail = `${what}: ${status} ${JSON.stringify(body).slice(0, 400)}`;
  if (status === 404) throw new Error(`unexpected 404 for ${detail}`);
  if (expectError) {
    if (status < 400 || status >= 500) throw new Error(`expected a 4xx error for ${detail}`);
  } else if (status < 200 || status >= 300) {
    throw new Error(`unexpected answer to ${detail}`);
  }
}
