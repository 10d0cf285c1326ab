// Writing and reading a DataAddress whichever way the peer wants it (trap 9). The spec puts `endpoint`
// on the DataAddress and anything else in `endpointProperties` ({name, value} pairs). Eclipse EDC reads
// only `endpointType` and `endpointProperties` (JsonObjectToDataAddressDspaceTransformer) and finds the
// endpoint, token and auth type among the properties under its own IRIs
// ("https://w3id.org/edc/v0.0.1/ns/endpoint"); other peers write prefixed names ("edc:authorization") or
// bare ones. Shuyu writes both the DSP field and EDC's properties, and reads any of them.

import type { DataAddress, EndpointProperty } from './types.js';

/** EDC's namespace for DataAddress properties (EDC's CoreConstants.EDC_NAMESPACE). */
export const EDC_NAMESPACE = 'https://w3id.org/edc/v0.0.1/ns/';
export const EDC_ENDPOINT_PROPERTY = `${EDC_NAMESPACE}endpoint`;
export const EDC_AUTHORIZATION_PROPERTY = `${EDC_NAMESPACE}authorization`;
export const EDC_AUTH_TYPE_PROPERTY = `${EDC_NAMESPACE}authType`;

export interface HttpDataAddressInput {
  readonly endpointType: string;
  readonly endpoint: string;
  /** The token the consumer sends as `Authorization: <authType> <authorization>`. */
  readonly authorization: string;
  readonly authType: string;
  /** Further properties (expiry, refresh endpoint...), written under the names given. */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * A pull DataAddress both DSP readers and EDC understand: the endpoint as DSP's `endpoint` field and as
 * EDC's endpoint property, the token and auth type under EDC's property IRIs.
 */
export function httpDataAddress(input: HttpDataAddressInput): DataAddress & {
  endpoint: string;
  endpointProperties: EndpointProperty[];
} {
  const property = (name: string, value: string): EndpointProperty => ({
    '@type': 'EndpointProperty',
    name,
    value,
  });
  return {
    '@type': 'DataAddress',
    endpointType: input.endpointType,
    endpoint: input.endpoint,
    endpointProperties: [
      property(EDC_ENDPOINT_PROPERTY, input.endpoint),
      property(EDC_AUTHORIZATION_PROPERTY, input.authorization),
      property(EDC_AUTH_TYPE_PROPERTY, input.authType),
      ...Object.entries(input.properties ?? {}).map(([name, value]) => property(name, value)),
    ],
  };
}

/**
 * `address` with its endpoint also as EDC's endpoint property, unless some property already names an
 * endpoint: what every DataAddress Shuyu sends carries (a push address the operator wrote, too).
 */
export function withEdcEndpoint(address: DataAddress): DataAddress {
  const properties = entries(address.endpointProperties);
  if (typeof address.endpoint !== 'string' || properties.some((p) => localName(p.name) === 'endpoint')) {
    return address;
  }
  const endpoint: EndpointProperty = {
    '@type': 'EndpointProperty',
    name: EDC_ENDPOINT_PROPERTY,
    value: address.endpoint,
  };
  return { ...address, endpointProperties: [endpoint, ...properties] };
}

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

/**
 * The endpoint, credentials and properties of a DataAddress, wherever the peer put them: the endpoint
 * from DSP's `endpoint` field or, when absent (EDC's own reader ignores the field), from the property.
 */
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
