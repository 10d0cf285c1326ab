// Fixtures for the DSP end-to-end tests: full connectors (control plane, DSP bindings, management API)
// in a local data space with a real authority, real HTTP on 127.0.0.1 and real SQLite files.
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
  type ControlPlaneConnectorOptions,
} from '../../connector/process/run-connector.js';
import { testProcessDatabase } from '../support/store.js';
import { onboard, request, type HttpResult, type LocalDataSpace } from '../authority/helpers.js';

export const FAST_OUTBOX = { baseDelayMs: 20, maxDelayMs: 200, pollIntervalMs: 200, deliveryTimeoutMs: 3000 };

/** Starts a full connector in `space` (closed with it) and onboards it with `application`. */
export async function startMember(
  space: LocalDataSpace,
  name: string,
  application: Record<string, unknown>,
  options: Partial<ControlPlaneConnectorOptions> = {},
): Promise<ControlPlaneConnector> {
  const connector = await startControlPlaneConnector({
    dataDir: join(space.dir, name),
    port: 0,
    authorityUrl: space.authority.url,
    ...(await testProcessDatabase(join(space.dir, name))),
    ...options,
    controlPlane: { outbox: FAST_OUTBOX, ...options.controlPlane },
  });
  space.connectors.push(connector);
  await onboard(space, connector, application);
  return connector;
}

/** The management API of `connector`, with its key. */
export function management(connector: { managementUrl: string; managementApiKey: string }) {
  const call = (method: string, path: string, body?: unknown): Promise<HttpResult> =>
    request(`${connector.managementUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${connector.managementApiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}

/** A DSP call to `target` as `caller` (a fresh request token), or unauthenticated without caller. */
export async function dsp(
  target: { url: string; did: string },
  path: string,
  init: {
    method?: string;
    body?: unknown;
    caller?: { requestTokenFor(did: string): Promise<string> };
    raw?: string;
  } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (init.caller) headers.authorization = `Bearer ${await init.caller.requestTokenFor(target.did)}`;
  const body = init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(`${target.url}/dsp${path}`, {
    method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

export function pid(id: string): string {
  return encodeURIComponent(id);
}

/** Polls `check` until it returns a value (tests only: the connector itself never polls). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the management API shows `path` in `state`; returns the record. */
export function waitForState(
  connector: { managementUrl: string; managementApiKey: string },
  path: string,
  state: string,
  timeoutMs?: number,
): Promise<Record<string, unknown>> {
  let seen = '';
  return waitFor(
    `${path} to reach ${state}`,
    async () => {
      const { status, body } = await management(connector).get(path);
      seen = `${status} ${String(body.state)} ${String(body.reason ?? '')}`;
      if (status !== 200) throw new Error(seen);
      if (body.state === state) return body;
      if (body.state === 'TERMINATED' && state !== 'TERMINATED')
        throw new Error(`terminated: ${String(body.reason)}`);
      return undefined;
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message} (last seen: ${seen})`);
  });
}

// ---- what providers publish ----

/** Access: any member of the data space may see the offer. */
export const MEMBERS_ACCESS = {
  uid: 'urn:test:access:members',
  permission: [
    {
      action: 'read',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
      ],
    },
  ],
};

/** Access: members of the medical sector only. */
export const MEDICAL_ACCESS = {
  uid: 'urn:test:access:medical',
  permission: [
    {
      action: 'read',
      constraint: [{ leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' }],
    },
  ],
};

/** Contract: medical-sector members may use the data until `until`; no distribution. */
export function medicalContract(until = '2099-01-01T00:00:00Z'): Record<string, unknown> {
  return {
    '@type': 'Offer',
    uid: 'urn:test:contract:medical-research',
    profile: 'https://w3id.org/shuyu/v1',
    permission: [
      {
        action: 'use',
        constraint: [
          { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
          { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' },
          {
            leftOperand: 'dateTime',
            operator: 'lt',
            rightOperand: { '@value': until, '@type': 'xsd:dateTime' },
          },
        ],
      },
    ],
    prohibition: [{ action: 'distribute' }],
  };
}

export function assetInput(
  id: string,
  publisher: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    title: `Dataset ${id}`,
    description: 'Outpatient visits, anonymised',
    keywords: ['outpatient'],
    sector: 'medical',
    dataGrade: 'general',
    format: 'text/csv',
    licence: 'https://provider.example/licences/research',
    publisher,
    dataAddress: { kind: 'inline', data: 'visit,count\n2026-01,12\n' },
    ...extra,
  };
}

/** Registers assets and offers through the management API; fails the test on any refusal. */
export async function publish(
  provider: ControlPlaneConnector,
  assets: readonly Record<string, unknown>[],
  offers: readonly Record<string, unknown>[],
): Promise<void> {
  const api = management(provider);
  for (const asset of assets) {
    const r = await api.post('/assets', asset);
    if (r.status !== 201) throw new Error(`asset refused: ${JSON.stringify(r.body)}`);
  }
  for (const offer of offers) {
    const r = await api.post('/offers', offer);
    if (r.status !== 201) throw new Error(`offer refused: ${JSON.stringify(r.body)}`);
  }
}

/** The consumer starts a negotiation for `offerId` on `datasetId` (offer read from the provider's catalog). */
export async function startNegotiation(
  consumer: ControlPlaneConnector,
  provider: ControlPlaneConnector,
  datasetId: string,
  offerId: string,
): Promise<HttpResult> {
  return management(consumer).post('/negotiations', {
    counterPartyAddress: `${provider.url}/dsp`,
    counterPartyId: provider.did,
    datasetId,
    offerId,
  });
}

export function catalogOfferId(offer: string, dataset: string): string {
  return `urn:shuyu:offer:${offer}:${dataset}`;
}
