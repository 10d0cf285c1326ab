// Extracting the token from an `Authorization: Bearer <token>` header.
import { InputError } from '../errors.js';

export function parseBearerToken(header: string | undefined | null): string {
  const match = typeof header === 'string' ? /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
  if (!match || match[1] === undefined) {
    throw new InputError('ERR_INPUT_MALFORMED', 'The Authorization header must be "Bearer <token>".');
  }
  return match[1];
}
