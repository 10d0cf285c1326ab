// Console sign-in: a key or an account is exchanged for a random session id in an HttpOnly,
// SameSite=Strict cookie. Each session carries its own CSRF token, which every form sends back. Sessions
// live in memory (a restart signs everyone out) with a bounded count and lifetime. Ids are only ever made
// here, so a cookie planted before sign-in (session fixation) never becomes a session.
import { randomBytes } from 'node:crypto';

const MAX_SESSIONS = 1000;

export interface Session {
  /** Who signed in: an admin key's name, "operator" for the management key, an account name. */
  readonly subject: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly lifetimeMs = 8 * 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(subject: string): string {
    if (this.#sessions.size >= MAX_SESSIONS) {
      // Drop the oldest (Map keeps insertion order).
      const first = this.#sessions.keys().next().value;
      if (first !== undefined) this.#sessions.delete(first);
    }
    const id = randomToken();
    this.#sessions.set(id, { subject, csrf: randomToken(), expiresAt: this.now() + this.lifetimeMs });
    return id;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** The signed-in subject, if the id names a live session. */
  admin(id: string | undefined): string | undefined {
    return this.get(id)?.subject;
  }

  end(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
