// Reading another connector's catalog for our operator: one page of its catalog, one of its
// datasets, or the offer on a dataset that a negotiation should request.

import { buildCatalogRequestMessage, type Json } from '../../dsp/messages/index.js';
import { HttpProblem } from '../../http/problem.js';
import { peerUrl } from './address.js';
import type { DspClient, PeerAnswer } from './dsp-client.js';
import type { PeerFormats } from './wire-formats.js';

export interface RemoteCatalogQuery {
  /** The provider's DSP base URL (checked by the host policy). */
  readonly counterPartyAddress: string;
  /** The provider's participant id: our request token is addressed to it. */
  readonly counterPartyId: string;
  readonly filter?: Json[];
  readonly offset?: number;
  readonly limit?: number;
  /** A cursor from the peer's paging links (Shuyu peers page by cursor). */
  readonly cursor?: string;
}

/** Reads a page of the peer's catalog; `formats` learns how the peer writes its transfer formats. */
export async function requestCatalog(
  client: DspClient,
  query: RemoteCatalogQuery,
  formats?: PeerFormats,
): Promise<PeerAnswer> {
  const paging = new URLSearchParams();
  if (query.offset !== undefined) paging.set('offset', String(query.offset));
  if (query.limit !== undefined) paging.set('limit', String(query.limit));
  if (query.cursor !== undefined) paging.set('cursor', query.cursor);
  const search = paging.size > 0 ? `?${paging}` : '';
  const message = buildCatalogRequestMessage(query.filter ? { filter: query.filter } : {});
  const answer = await client.post(
    query.counterPartyId,
    `${peerUrl(query.counterPartyAddress, 'catalog', 'request')}${search}`,
    message,
  );
  await formats?.learn(query.counterPartyId, answer.body);
  return answer;
}

export async function requestDataset(
  client: DspClient,
  counterPartyAddress: string,
  counterPartyId: string,
  datasetId: string,
  formats?: PeerFormats,
): Promise<PeerAnswer> {
  const answer = await client.get(
    counterPartyId,
    peerUrl(counterPartyAddress, 'catalog', 'datasets', datasetId),
  );
  await formats?.learn(counterPartyId, answer.body);
  return answer;
}

/** The offer `offerId` on the provider's dataset, as its catalog shows it to us. */
export async function remoteOffer(
  client: DspClient,
  counterPartyAddress: string,
  counterPartyId: string,
  datasetId: string,
  offerId: string,
  formats?: PeerFormats,
): Promise<Record<string, unknown>> {
  const { body } = await requestDataset(client, counterPartyAddress, counterPartyId, datasetId, formats);
  const policies = (body as { hasPolicy?: unknown }).hasPolicy;
  const offers = Array.isArray(policies) ? policies : policies === undefined ? [] : [policies];
  const offer = offers.find(
    (o): o is Record<string, unknown> =>
      o !== null && typeof o === 'object' && (o as Record<string, unknown>)['@id'] === offerId,
  );
  if (offer === undefined) {
    throw new HttpProblem(
      404,
      'offer-not-found',
      `dataset ${datasetId} of ${counterPartyId} shows us no offer ${offerId}`,
      [{ pointer: '/offerId', reason: 'not among the dataset’s offers' }],
    );
  }
  return offer;
}
