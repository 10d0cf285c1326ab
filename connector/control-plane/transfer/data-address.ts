// Transfer formats, and the DataAddress a provider hands out for an HTTP pull transfer when it runs no
// data plane: a placeholder (`<connector url>/data/<transferId>` and a random token). A connector started
// with its data plane (connector/process/data-services.ts) hands out endpoint data references instead
// (edr.ts, through the control plane's `pullDataAddress` hook).

import { randomBytes } from 'node:crypto';
import { httpDataAddress } from '../../dsp/messages/data-address.js';
import type { DataAddress } from '../../dsp/messages/index.js';
import { HTTP_ENDPOINT_TYPE } from '../../dataplane/edr/issue.js';

/** Transfer formats whose data address the provider gives (pull) rather than the consumer (push). */
export function isPullFormat(format: string): boolean {
  return /-PULL$/i.test(format);
}

export function isPushFormat(format: string): boolean {
  return /-PUSH$/i.test(format);
}

export function placeholderPullAddress(connectorUrl: string, transferId: string): DataAddress {
  return httpDataAddress({
    endpointType: HTTP_ENDPOINT_TYPE,
    endpoint: `${connectorUrl}/data/${encodeURIComponent(transferId)}`,
    authorization: randomBytes(32).toString('base64url'),
    authType: 'bearer',
  });
}
