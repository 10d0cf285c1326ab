// A scriptable DSP counterparty for tests: a real HTTP server on 127.0.0.1 that records every request
// and answers as `answer` decides (default: what a well-behaved peer answers). Tests play the peer's
// side of a process with it: answer 404/503/close the connection, or call back at once on receipt.
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PeerRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

/** What to answer: a status and body, 'close' to drop the connection, or undefined for the default. */
export type PeerAnswer =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | 'close'
  | undefined;

const DSP_CONTEXT = ['https://w3id.org/dspace/2025/1/context.jsonld'];

/** The paths a member connector serves; with `forwardTo` set they reach it through the peer. */
const MEMBER_PATHS = /^\/(?:dsp|\.well-known|dcp|data|management|identity)(?:\/|$)/;

export class Peer {
  readonly received: PeerRequest[] = [];
  /** Our pids per consumerPid, as we answered the initial messages. */
  readonly providerPids = new Map<string, string>();
  answer: (request: PeerRequest) => Promise<PeerAnswer> | PeerAnswer = () => undefined;
  /**
   * A member connector started with this peer's URL as its publicUrl (its DID names the peer's host:port):
   * the member's own paths are forwarded to it, so callbacks on the peer's other paths are the member's
   * own (a connector only calls back to the host of the caller's DID).
   */
  forwardTo: string | undefined;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Peer> {
    const server = createServer();
    const peer = new Peer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (peer.forwardTo !== undefined && MEMBER_PATHS.test(req.url ?? '')) {
        peer.forward(peer.forwardTo, req, res);
        return;
      }
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        void peer.handle(req, res, text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The requests whose path ends with `suffix`. */
  to(suffix: string): PeerRequest[] {
    return this.received.filter((r) => r.path.endsWith(suffix));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private forward(target: string, req: IncomingMessage, res: ServerResponse): void {
    const upstream = httpRequest(
      `${target}${req.url ?? ''}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    const request: PeerRequest = { method: req.method ?? '', path: req.url ?? '', body, at: Date.now() };
    this.received.push(request);
    const answer = (await this.answer(request)) ?? this.defaultAnswer(request);
    if (answer === 'close') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  /** A provider's answer to initial requests (201 with a fresh providerPid), 200 otherwise. */
  private defaultAnswer(request: PeerRequest): Exclude<PeerAnswer, 'close' | undefined> {
    const consumerPid = String(request.body.consumerPid ?? '');
    const initial =
      request.path.endsWith('/negotiations/request') || request.path.endsWith('/transfers/request');
    if (!initial) return { status: 200 };
    const providerPid = this.providerPids.get(consumerPid) ?? `urn:uuid:${randomUUID()}`;
    this.providerPids.set(consumerPid, providerPid);
    const negotiation = request.path.endsWith('/negotiations/request');
    return {
      status: 201,
      body: {
        '@context': DSP_CONTEXT,
        '@type': negotiation ? 'ContractNegotiation' : 'TransferProcess',
        providerPid,
        consumerPid,
        state: 'REQUESTED',
      },
    };
  }
}
