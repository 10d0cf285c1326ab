// A DSP counterparty played by the test: a real HTTP server on 127.0.0.1 that records every request it
// receives and acknowledges it the way a peer would (an initial request or offer with the process it
// created, anything else with 200), plus the calls it makes to a connector in test identity mode (its
// static token authenticates as the configured participant). For operator-mode and conformance tests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, type HttpResult } from '../authority/helpers.js';

export const DSP_CONTEXT = ['https://w3id.org/dspace/2025/1/context.jsonld'];

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** What the peer answered (for an initial message: the process it created, with its pid). */
  readonly answer: Record<string, unknown>;
}

export class RecordingPeer {
  readonly received: Recorded[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    /** `Authorization` for the calls this peer makes to the connector under test. */
    private readonly token: string,
  ) {}

  static async start(token: string): Promise<RecordingPeer> {
    const server = createServer();
    const peer = new RecordingPeer(server, token);
    server.on('request', (req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const body = parsed(text);
        const answer = acknowledgement(req.url ?? '', body);
        peer.received.push({ method: req.method ?? '', path: req.url ?? '', body, answer: answer.body });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        for (const wake of peer.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  /** The peer's DSP base (its callbackAddress, or the counterPartyAddress to reach it). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many requests so far: pass to since() later. */
  mark(): number {
    return this.received.length;
  }

  since(mark: number): Recorded[] {
    return this.received.slice(mark);
  }

  /** The first request after `mark` whose path is `path`; waits for it (up to timeoutMs). */
  async next(path: string, mark = 0, timeoutMs = 10_000): Promise<Recorded> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.since(mark).find((r) => r.path === path);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.since(mark).map((r) => r.path);
        throw new Error(`no request to ${path} within ${timeoutMs} ms (received: ${JSON.stringify(seen)})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** What arrived during `ms` of idling (the caller expects nothing). */
  async idle(ms: number): Promise<Recorded[]> {
    const mark = this.mark();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.since(mark);
  }

  /** A DSP message to the connector `target` (its DSP base), as this peer. */
  send(target: string, path: string, message: Record<string, unknown>): Promise<HttpResult> {
    return request(`${target}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ '@context': DSP_CONTEXT, ...message }),
    });
  }

  get(target: string, path: string): Promise<HttpResult> {
    return request(`${target}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The request body as JSON, or its text when it is not JSON. */
function parsed(text: string): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { text };
  }
}

/** What a peer answers: the process an initial message created (with its own new pid), else 200. */
function acknowledgement(
  path: string,
  body: Record<string, unknown>,
): { status: number; body: Record<string, unknown> } {
  const pid = `urn:uuid:${randomUUID()}`;
  if (path === '/negotiations/request') {
    return {
      status: 201,
      body: processBody('ContractNegotiation', pid, String(body.consumerPid), 'REQUESTED'),
    };
  }
  if (path === '/negotiations/offers') {
    return {
      status: 201,
      body: processBody('ContractNegotiation', String(body.providerPid), pid, 'OFFERED'),
    };
  }
  if (path === '/transfers/request') {
    return { status: 201, body: processBody('TransferProcess', pid, String(body.consumerPid), 'REQUESTED') };
  }
  return { status: 200, body: {} };
}

function processBody(type: string, providerPid: string, consumerPid: string, state: string) {
  return { '@context': DSP_CONTEXT, '@type': type, providerPid, consumerPid, state };
}
