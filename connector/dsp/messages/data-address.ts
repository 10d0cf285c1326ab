// Reading a DataAddress whichever way the peer wrote it (trap 9). The spec puts `endpoint` on the
// DataAddress and anything else in `endpointProperties` ({name, value} pairs); Eclipse EDC peers
// put `endpoint` and `authorization` among the endpointProperties too, often under full IRIs
// ("https://w3id.org/edc/v0.0.1/ns/endpoint") or prefixed names ("edc:authorization").

import type { DataAddress, EndpointProperty } from './types.js';

export interface DataAddressView {
  readonly endpointType: string;
  readonly endpoint?: string;
  readonly authorization?: string;
  /** The other endpoint properties by local name ("authType", "expiresIn"...), first one wins. */
  readonly properties: Readonly<Record<string, string>>;
}

/** "https://w3id.org/edc/v0.0.1/ns/endpoint", "edc:endpoint", "endpoint" → "endpoint". */
function localName(name: string): string {
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('#'), name.lastIndexOf(':'));
  return cut >= 0 ? name.slice(cut + 1) : name;
}

function entries(list: unknown): EndpointProperty[] {
  const items = Array.isArray(list) ? list : list !== null && typeof list === 'object' ? [list] : [];
  return items.filter(
    (p): p is EndpointProperty =>
      p !== null && typeof p === 'object' && typeof p.name === 'string' && typeof p.value === 'string',
  );
}

/** The endpoint, credentials and properties of a DataAddress, wherever the peer put them. */
export function readDataAddress(address: DataAddress): DataAddressView {
  // A Map, then fromEntries: a property named "__proto__" stays a plain key.
  const byName = new Map<string, string>();
  for (const { name, value } of entries(address.endpointProperties)) {
    const key = localName(name);
    if (!byName.has(key)) byName.set(key, value);
  }
  const endpoint = byName.get('endpoint');
  const authorization = byName.get('authorization');
  byName.delete('endpoint');
  byName.delete('authorization');
  const rest = Object.fromEntries(byName) as Record<string, string>;
  const top = typeof address.endpoint === 'string' ? address.endpoint : undefined;
  return {
    endpointType: typeof address.endpointType === 'string' ? address.endpointType : '',
    ...((top ?? endpoint) !== undefined ? { endpoint: top ?? endpoint } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
    properties: rest,
  };
}
