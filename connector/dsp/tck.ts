// The two hooks the official DSP TCK (eclipse-dataspacetck/dsp-tck) calls on the connector under test
// when it plays the provider: "start a negotiation" and "start a transfer", each a POST of plain JSON,
// after which this connector sends its ContractRequestMessage or TransferRequestMessage to the TCK.
// They exist only in the test-only identity mode (connector.json `testIdentity`, loopback only) and
// require its static token, which the TCK sends on every request it makes. docs/conformance.md
// explains the whole setup.
//
//   POST /tck/negotiations/requests {providerId, offerId, datasetId, connectorAddress}
//   POST /tck/transfers/requests    {providerId, agreementId, format, connectorAddress}

import { Router, type RequestHandler } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import { HttpProblem, type FieldReason } from '../http/problem.js';
import type { TestIdentity } from '../identity/index.js';
import { ProcessError } from '../negotiation/index.js';
import { fromProcessError } from './errors.js';
import type { MessageOffer } from './messages/index.js';

export const TCK_NEGOTIATION_HOOK = '/tck/negotiations/requests';
export const TCK_TRANSFER_HOOK = '/tck/transfers/requests';

/** The hooks, behind the static test token. Mount only when the test identity mode is on. */
export function tckHooks(plane: ControlPlane, identity: TestIdentity): Router {
  const router = Router();
  router.use('/tck', requireTestToken(identity));

  router.post(TCK_NEGOTIATION_HOOK, async (req, res) => {
    const { providerId, offerId, datasetId, connectorAddress } = fields(req.body, [
      'providerId',
      'offerId',
      'datasetId',
      'connectorAddress',
    ]);
    // The TCK recognises its own ids in what we send, so the offer carries them verbatim; its terms
    // are the TCK's own (use, no constraints).
    const offer = {
      '@id': offerId,
      '@type': 'Offer',
      target: datasetId,
      assigner: providerId,
      permission: [{ action: 'use' }],
    } as unknown as MessageOffer;
    const record = await processErrors(() =>
      plane.negotiationActions.startVerbatim({
        counterPartyAddress: connectorAddress,
        counterPartyId: providerId,
        datasetId,
        offer,
      }),
    );
    res.status(201).json({ id: record.id, state: record.state });
  });

  router.post(TCK_TRANSFER_HOOK, async (req, res) => {
    const { agreementId, format, connectorAddress } = fields(req.body, [
      'providerId',
      'agreementId',
      'format',
      'connectorAddress',
    ]);
    const record = await processErrors(() =>
      plane.transferActions.request({ agreementId, format, counterPartyAddress: connectorAddress }),
    );
    res.status(201).json({ id: record.id, state: record.state });
  });
  return router;
}

function requireTestToken(identity: TestIdentity): RequestHandler {
  return (req, res, next) => {
    try {
      identity.verifyAuthorization(req.headers.authorization);
      next();
    } catch {
      res.set('WWW-Authenticate', 'Bearer realm="shuyu-tck"');
      next(
        new HttpProblem(
          401,
          'test-token-required',
          'the TCK hooks need the test identity token (dataspacetck.dsp.connector.http.headers.authorization)',
        ),
      );
    }
  };
}

/** The named string fields of a plain JSON body, or one 400 listing every one missing or empty. */
function fields<K extends string>(body: unknown, keys: readonly K[]): Record<K, string> {
  const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const out: Partial<Record<K, string>> = {};
  const errors: FieldReason[] = [];
  for (const key of keys) {
    const value = (record as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value;
    else errors.push({ pointer: `/${key}`, reason: 'required: a non-empty string' });
  }
  if (errors.length > 0)
    throw new HttpProblem(400, 'invalid-body', 'the hook request is not valid; see errors', errors);
  return out as Record<K, string>;
}

async function processErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof ProcessError ? fromProcessError(e) : e;
  }
}
