// Negotiations through the management API: start one as consumer (a request) or as provider (an
// offer), list and read them, and act on them as the operator. Provider: offer (counter-offer), agree,
// finalize, terminate. Consumer: request (counter-request), accept, verify, terminate. Every step the
// automation may take is also an action here, so with `automation: "none"` the operator drives it all.
// Agreements: the finalized negotiations' contracts.

import { Router } from 'express';
import { remoteOffer, type ControlPlane } from '../control-plane/index.js';
import { HttpProblem } from '../http/problem.js';
import { NEGOTIATION_STATES, type NegotiationRecord } from '../negotiation/index.js';
import { Input, listParam, listQuery, pathParam } from './input.js';
import { processActions } from './process-actions.js';
import { agreementView, negotiationView } from './views.js';
import { readWhen, waitQuery } from './wait.js';

const ROLES = ['provider', 'consumer'] as const;

export function negotiationRoutes(plane: ControlPlane): Router {
  const router = Router();
  const actions = plane.negotiationActions;

  const view = (record: NegotiationRecord) => negotiationView(record, plane.automation.modes);

  router.post('/negotiations', async (req, res) => {
    const input = new Input(req);
    const role = input.string('role') ?? 'consumer';
    const counterPartyAddress = input.string('counterPartyAddress', true);
    const counterPartyId = input.string('counterPartyId', true);
    const datasetId = input.string('datasetId', true);
    const offerId = input.string('offerId');
    const given = input.object('offer');
    input.check('negotiation request');
    if (role !== 'consumer' && role !== 'provider') {
      throw new HttpProblem(400, 'invalid-body', 'role must be consumer or provider', [
        { pointer: '/role', reason: 'consumer (request a provider’s offer) or provider (offer ours)' },
      ]);
    }
    if (given === undefined && offerId === undefined) {
      throw new HttpProblem(400, 'invalid-body', 'give the offer or its offerId', [
        { pointer: '/offerId', reason: 'required without /offer' },
      ]);
    }
    if (given !== undefined && offerId !== undefined && given['@id'] !== offerId) {
      throw new HttpProblem(400, 'invalid-body', 'offerId and the offer’s @id differ', [
        { pointer: '/offerId', reason: `the offer’s @id is ${String(given['@id'])}` },
      ]);
    }
    if (role === 'provider') {
      // We offer to a consumer: one of our offers (offerId) or inline terms.
      const record = await actions.offerTo({
        counterPartyAddress,
        counterPartyId,
        datasetId,
        ...(given !== undefined ? { offer: given } : { offerId: offerId ?? '' }),
      });
      res.status(201).json(view(record));
      return;
    }
    // Without the offer, it is read from the provider's catalog as the provider shows it to us.
    const offer =
      given ??
      (await remoteOffer(
        plane.client,
        counterPartyAddress,
        counterPartyId,
        datasetId,
        offerId ?? '',
        plane.context.peerFormats,
      ));
    const record = await actions.start({ counterPartyAddress, counterPartyId, datasetId, offer });
    res.status(201).json(view(record));
  });

  router.get('/negotiations', async (req, res) => {
    const role = listParam(req, 'role', ROLES);
    const state = listParam(req, 'state', NEGOTIATION_STATES);
    const records = await plane.negotiations.list({
      ...listQuery(req),
      ...(role?.length === 1 ? { role: role[0] } : {}),
      ...(state ? { state } : {}),
    });
    res.json({ negotiations: records.map(view) });
  });

  router.get('/negotiations/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    const wait = waitQuery(req, NEGOTIATION_STATES);
    const record = await readWhen(plane, 'negotiation', id, () => plane.negotiations.get(id), wait, res);
    if (record === undefined) throw new HttpProblem(404, 'negotiation-not-found', `no negotiation ${id}`);
    res.json(view(record));
  });

  const act = processActions(router, {
    path: 'negotiations',
    read: (id) => plane.negotiations.get(id),
    view,
  });
  act('offer', (id, input) => {
    const offer = input.object('offer');
    input.check('offer');
    return actions.offer(id, offer);
  });
  act('agree', (id) => actions.agree(id));
  act('finalize', (id) => actions.finalize(id));
  act('request', (id, input) => {
    const offer = input.object('offer');
    input.check('counter-request');
    if (offer === undefined)
      throw new HttpProblem(400, 'invalid-body', 'a counter-request needs an offer', [
        { pointer: '/offer', reason: 'is required' },
      ]);
    return actions.request(id, offer);
  });
  act('accept', (id) => actions.accept(id));
  act('verify', (id) => actions.verify(id));
  act('terminate', (id, input) => {
    const reason = input.string('reason') ?? 'terminated by the operator';
    input.check('termination');
    return actions.terminate(id, reason);
  });

  router.get('/agreements', async (req, res) => {
    const records = await plane.negotiations.list({ ...listQuery(req), state: 'FINALIZED' });
    res.json({ agreements: records.flatMap((r) => agreementView(r) ?? []) });
  });
  router.get('/agreements/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    const record =
      (await plane.negotiations.findByAgreementId('provider', id)) ??
      (await plane.negotiations.findByAgreementId('consumer', id));
    const view = record && agreementView(record);
    if (view === undefined) throw new HttpProblem(404, 'agreement-not-found', `no agreement ${id}`);
    res.json(view);
  });
  return router;
}
