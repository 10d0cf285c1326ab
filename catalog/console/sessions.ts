// Console sign-in: an admin API key is exchanged for a random session id in an HttpOnly, SameSite=Strict
// cookie. Sessions live in memory (a restart signs everyone out) with a bounded count and lifetime.
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'shuyu_console';
const MAX_SESSIONS = 1000;

interface Session {
  readonly admin: string;
  readonly expiresAt: number;
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly lifetimeMs = 8 * 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(admin: string): string {
    if (this.#sessions.size >= MAX_SESSIONS) {
      // Drop the oldest (Map keeps insertion order).
      const first = this.#sessions.keys().next().value;
      if (first !== undefined) this.#sessions.delete(first);
    }
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { admin, expiresAt: this.now() + this.lifetimeMs });
    return id;
  }

  admin(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session.admin;
  }

  end(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
