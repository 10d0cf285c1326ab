// DSP 2025-1 contract negotiation endpoints, both roles, below the DSP base. The provider's endpoints
// and the consumer's callbacks share that base (it is the callbackAddress we send): a path pid is
// always one of our own record ids, and the record's role decides what the state table accepts there.

import { Router } from 'express';
import type { NegotiationProtocol } from '../../control-plane/index.js';
import { callerFrom, onMessage, param, send } from '../http.js';

export function negotiationRouter(protocol: NegotiationProtocol): Router {
  const router = Router();
  // Initial messages: they create the negotiation.
  onMessage(router, '/negotiations/request', 'ContractRequestMessage', (caller, _pid, m) =>
    protocol.request(caller, m),
  );
  onMessage(router, '/negotiations/offers', 'ContractOfferMessage', (caller, _pid, m) =>
    protocol.offer(caller, m),
  );
  router.get('/negotiations/:pid', async (req, res) => {
    send(res, 200, await protocol.state(callerFrom(res), param(req, 'pid')));
  });
  // Messages on an existing negotiation.
  onMessage(router, '/negotiations/:pid/request', 'ContractRequestMessage', (caller, pid, m) =>
    protocol.counterRequest(caller, pid, m),
  );
  onMessage(router, '/negotiations/:pid/offers', 'ContractOfferMessage', (caller, pid, m) =>
    protocol.counterOffer(caller, pid, m),
  );
  onMessage(router, '/negotiations/:pid/agreement', 'ContractAgreementMessage', (caller, pid, m) =>
    protocol.agreement(caller, pid, m),
  );
  onMessage(
    router,
    '/negotiations/:pid/agreement/verification',
    'ContractAgreementVerificationMessage',
    (caller, pid, m) => protocol.verification(caller, pid, m),
  );
  onMessage(router, '/negotiations/:pid/events', 'ContractNegotiationEventMessage', (caller, pid, m) =>
    protocol.event(caller, pid, m),
  );
  onMessage(
    router,
    '/negotiations/:pid/termination',
    'ContractNegotiationTerminationMessage',
    (caller, pid, m) => protocol.termination(caller, pid, m),
  );
  return router;
}
