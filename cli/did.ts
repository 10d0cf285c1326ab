// DIDs as people type them. did:web writes a host's port as %3A (did:web:127.0.0.1%3A8410): a port
// typed with ":" (did:web:127.0.0.1:8410) names another DID, one with a path segment "8410", so it is
// normalised here, once for every command, with a note saying so.
import type { Output } from './io.js';

const WEB_WITH_PORT = /^did:web:([^:%/]+):(\d{1,5})(?=$|:)/;

/** The DID with a did:web port written %3A; `note` hears what was changed. */
export function normaliseDid(did: string, note?: (text: string) => void): string {
  const match = WEB_WITH_PORT.exec(did);
  if (match === null) return did;
  const normalised = `did:web:${match[1]}%3A${match[2]}${did.slice(match[0].length)}`;
  note?.(`note: read ${did} as ${normalised} (did:web writes the port's ":" as %3A)`);
  return normalised;
}

/** normaliseDid for a flag value that may be absent, noting on stderr. */
export function didFlag(value: string | undefined, out: Output): string | undefined {
  return value === undefined ? undefined : normaliseDid(value, (text) => out.error(text));
}

/** A hint for refusals that come from a wrong DID (audience mismatch, not a member). */
export function didHint(message: string, did: string | undefined): string {
  if (!/token-audience-mismatch|audience|not a member|member-not-found|no member/i.test(message)) return '';
  const shown = did ? ` (${did})` : '';
  return (
    `\nhint: check the DID${shown}. A connector's DID is the "id" of its /.well-known/did.json; ` +
    'a did:web port is written %3A (did:web:127.0.0.1%3A7710), and "shuyu catalog search" prints each ' +
    "provider's --provider and --provider-did."
  );
}
