// The DataAddress a provider hands out for an HTTP pull transfer. PLACEHOLDER until the data plane
// (issue 5): the endpoint is `<connector url>/data/<transferId>` and the token is random, stored with
// the transfer on the provider's side so the data plane can check it once it exists. Nothing serves
// that endpoint yet.

import { randomBytes } from 'node:crypto';
import type { DataAddress } from '../../dsp/messages/index.js';

export const HTTP_ENDPOINT_TYPE = 'https://w3id.org/idsa/v4.1/HTTP';

/** Transfer formats whose data address the provider gives (pull) rather than the consumer (push). */
export function isPullFormat(format: string): boolean {
  return /-PULL$/i.test(format);
}

export function isPushFormat(format: string): boolean {
  return /-PUSH$/i.test(format);
}

export function placeholderPullAddress(connectorUrl: string, transferId: string): DataAddress {
  return {
    '@type': 'DataAddress',
    endpointType: HTTP_ENDPOINT_TYPE,
    endpoint: `${connectorUrl}/data/${encodeURIComponent(transferId)}`,
    endpointProperties: [
      { '@type': 'EndpointProperty', name: 'authorization', value: randomBytes(32).toString('base64url') },
      { '@type': 'EndpointProperty', name: 'authType', value: 'bearer' },
    ],
  };
}
