// The authority's side of pushed status (connector/identity/status-list/events.ts has the member's side).
// Every suspension, reinstatement and revocation is written, in the same transaction as the state change, as
// a signed event with the next sequence number; after the commit it goes to every open stream. A member that
// reconnects names the last sequence it saw (Last-Event-ID) and first gets what it missed from the table.
//
// Why Server-Sent Events rather than webhooks: members need no inbound endpoint the authority would have to
// register, call through the host policy and retry; a member behind NAT or a proxy gets events all the same;
// the stream's id/Last-Event-ID is exactly the resume point; and a member notices at once when the stream is
// down and relies on the status-list pull meanwhile. The cost is one open connection per online member.
import type { Request, Response } from 'express';
import { STATUS_EVENT_TYP, type DidSigner, type MemberStanding } from '../../connector/identity/index.js';
import type { Migration, Queries } from '../../connector/store/database.js';

export const STATUS_EVENT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'authority-status-events/1',
    sql: `
      CREATE TABLE status_events (
        seq INTEGER PRIMARY KEY,
        member_did TEXT NOT NULL,
        state TEXT NOT NULL,
        at TEXT NOT NULL,
        jws TEXT NOT NULL
      );
    `,
  },
];

/** How often an idle stream gets a comment line, so proxies and the member see it is alive. */
const HEARTBEAT_MS = 15_000;
/**
 * Backlog sent to a reconnecting member at most (the newest ones). A member that missed more has been away
 * longer than its status-list cache lasts, so the pull has caught up anyway. A first connection (no
 * Last-Event-ID at all) gets no backlog: its caches hold nothing an old event could correct.
 */
const MAX_BACKLOG = 1000;

export interface SignedStatusEvent {
  readonly seq: number;
  readonly member: string;
  readonly state: MemberStanding;
  readonly jws: string;
}
type Signed = SignedStatusEvent;

export class StatusEventLog {
  readonly #listeners = new Set<(event: Signed) => void>();
  readonly #db: Queries;

  constructor(db: Queries) {
    this.#db = db;
  }

  /** Records an event inside the caller's transaction; call publish() with the result after the commit. */
  async record(
    tx: Queries,
    signer: DidSigner,
    event: { member: string; state: MemberStanding; at: Date },
  ): Promise<Signed> {
    const row = await tx.get<{ seq: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM status_events');
    const seq = row?.seq ?? 1;
    const jws = await signer.signJwt(
      { typ: STATUS_EVENT_TYP },
      {
        iss: signer.did,
        seq,
        sub: event.member,
        state: event.state,
        iat: Math.floor(event.at.getTime() / 1000),
      },
    );
    await tx.run('INSERT INTO status_events (seq, member_did, state, at, jws) VALUES (?, ?, ?, ?, ?)', [
      seq,
      event.member,
      event.state,
      event.at.toISOString(),
      jws,
    ]);
    return { seq, member: event.member, state: event.state, jws };
  }

  publish(event: Signed): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** In-process subscribers (the federated catalog in the authority's own process); returns unsubscribe. */
  subscribe(listener: (event: SignedStatusEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The SSE handler: backlog after Last-Event-ID (or ?after=), then live events, until the client leaves. */
  async stream(req: Request, res: Response): Promise<void> {
    const after = resumePoint(req);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let sent = after ?? 0;
    const send = (event: Signed): void => {
      if (event.seq <= sent) return;
      sent = event.seq;
      res.write(`id: ${event.seq}\nevent: status\ndata: ${event.jws}\n\n`);
    };
    // Listen before reading the backlog, and hold live events until it is out, so none falls between.
    const held: Signed[] = [];
    let live = false;
    const listener = (event: Signed): void => (live ? send(event) : void held.push(event));
    this.#listeners.add(listener);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const stop = (): void => {
      this.#listeners.delete(listener);
      clearInterval(heartbeat);
    };
    res.on('close', stop);
    try {
      const backlog =
        after !== undefined
          ? await this.#db.all<Signed>(
              'SELECT seq, member_did AS member, state, jws FROM status_events WHERE seq > ? ' +
                'ORDER BY seq DESC LIMIT ?',
              [after, MAX_BACKLOG],
            )
          : [];
      for (const event of backlog.reverse()) send(event);
      for (const event of held) send(event);
      live = true;
      res.write(': live\n\n');
    } catch {
      stop();
      res.end();
    }
  }
}

/** The last sequence the member saw (Last-Event-ID, or ?after=); undefined on a first connection. */
function resumePoint(req: Request): number | undefined {
  const header = req.headers['last-event-id'];
  const value = typeof header === 'string' ? header : req.query.after;
  if (typeof value !== 'string') return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : 0;
}
