// DCP scopes: `[alias]:[discriminator]`, with the two aliases every implementation must support,
// `org.eclipse.dspace.dcp.vc.type:<type>` and `org.eclipse.dspace.dcp.vc.id:<credential id>`. EDC and the
// DCP TCK append an access mode (`...:MembershipCredential:read`); Shuyu writes that form and reads both.
// Only read access exists here: a Credential Service query never changes anything.
import { DcpError } from '../errors.js';

export const VC_TYPE_ALIAS = 'org.eclipse.dspace.dcp.vc.type';
export const VC_ID_ALIAS = 'org.eclipse.dspace.dcp.vc.id';

export interface Scope {
  readonly alias: 'type' | 'id';
  /** The credential type or credential id. */
  readonly value: string;
}

/** The credential types Shuyu's claims and policies read (claims/map.ts): what a verifier asks for. */
export const SHUYU_CREDENTIAL_TYPES = [
  'MembershipCredential',
  'SectorCredential',
  'DataGradeClearance',
] as const;

/** `org.eclipse.dspace.dcp.vc.type:<type>:read` */
export function scopeForType(type: string): string {
  return `${VC_TYPE_ALIAS}:${type}:read`;
}

/** The scope, or undefined when `text` is not one Shuyu understands (an unknown alias or access mode). */
export function parseScope(text: string): Scope | undefined {
  for (const [prefix, alias] of [
    [`${VC_TYPE_ALIAS}:`, 'type'],
    [`${VC_ID_ALIAS}:`, 'id'],
  ] as const) {
    if (!text.startsWith(prefix)) continue;
    let value = text.slice(prefix.length);
    // Ids may themselves contain colons (urn:uuid:...), so only a trailing access mode is cut off.
    if (value.endsWith(':read') || value.endsWith(':all')) value = value.slice(0, value.lastIndexOf(':'));
    return value.length > 0 ? { alias, value } : undefined;
  }
  return undefined;
}

/** Parses every scope or throws ERR_DCP_SCOPE_INVALID naming the first it cannot read. */
export function parseScopes(texts: readonly string[]): Scope[] {
  return texts.map((text) => {
    const scope = parseScope(text);
    if (!scope) {
      throw new DcpError(
        'ERR_DCP_SCOPE_INVALID',
        `"${text.slice(0, 200)}" is not a DCP scope Shuyu supports; use ${VC_TYPE_ALIAS}:<type>[:read] or ` +
          `${VC_ID_ALIAS}:<credential id>[:read].`,
      );
    }
    return scope;
  });
}

/** What a credential is matched on. */
export interface ScopedCredential {
  readonly id: string;
  readonly type: string;
}

export function scopeCovers(scope: Scope, credential: ScopedCredential): boolean {
  return scope.alias === 'type' ? scope.value === credential.type : scope.value === credential.id;
}

/** Credentials asked for by some requested scope and allowed by some granted scope. */
export function selectByScopes<C extends ScopedCredential>(
  credentials: readonly C[],
  requested: readonly Scope[],
  granted: readonly Scope[],
): C[] {
  return credentials.filter(
    (credential) =>
      requested.some((scope) => scopeCovers(scope, credential)) &&
      granted.some((scope) => scopeCovers(scope, credential)),
  );
}
