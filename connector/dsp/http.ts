// What every DSP route does around its service call: who is calling (verified by the identity layer),
// the message read and validated (any JSON-LD form, the official schema), the answer written.

import type { Request, Response, Router } from 'express';
import type { Caller } from '../assets/index.js';
import { callbackHostRefusal } from '../control-plane/peers/address.js';
import { callerOf, TEST_IDENTITY_TOKEN_ID } from '../http/caller-auth.js';
import {
  DspError,
  parseDspMessage,
  type DspMessages,
  type DspMessageType,
  type ParseResult,
  type ProcessIds,
} from './messages/index.js';

/** The authenticated counterparty, as the policy engine and the catalog see it. */
export function callerFrom(res: Response): Caller {
  const verified = callerOf(res);
  return { participantId: verified.caller, claims: verified.claims };
}

/** Requests' bodies as read (per type): the credential scope lookup reads a request before its handler. */
const parsedBodies = new WeakMap<Request, Map<DspMessageType, Promise<ParseResult<DspMessageType>>>>();

/** The request's body read as a `type` message, once per request (parseDspMessage never throws). */
export function parsedBody<T extends DspMessageType>(type: T, req: Request): Promise<ParseResult<T>> {
  let byType = parsedBodies.get(req);
  if (byType === undefined) parsedBodies.set(req, (byType = new Map()));
  let parsed = byType.get(type);
  if (parsed === undefined) byType.set(type, (parsed = parseDspMessage(type, req.body as unknown)));
  return parsed as Promise<ParseResult<T>>;
}

/** The body as a valid `type` message, or a 400 with one reason per problem. */
export async function readMessage<T extends DspMessageType>(
  type: T,
  req: Request,
  res: Response,
): Promise<DspMessages[T]> {
  const parsed = await parsedBody(type, req);
  if (!parsed.ok) throw DspError.badMessage(type, parsed.errors);
  rememberPids(res, parsed.message as Partial<ProcessIds>);
  await checkCallbackHost(res, (parsed.message as { callbackAddress?: unknown }).callbackAddress);
  return parsed.message;
}

/**
 * An initial message's callbackAddress must be the caller's own endpoint (test identity callers aside): on
 * the host serving its did:web document, or on the host of a service its DID document lists.
 */
async function checkCallbackHost(res: Response, callbackAddress: unknown): Promise<void> {
  if (typeof callbackAddress !== 'string') return;
  const verified = callerOf(res);
  if (verified.tokenId === TEST_IDENTITY_TOKEN_ID) return;
  // The DID document is read only when the DID's own host does not match (the common case needs no lookup).
  let reason = callbackHostRefusal(verified.caller, callbackAddress);
  if (reason !== undefined && verified.serviceEndpoints) {
    const listed = await verified.serviceEndpoints().catch(() => []);
    reason = callbackHostRefusal(verified.caller, callbackAddress, listed);
  }
  if (reason !== undefined) {
    throw new DspError('bad-message', `refused callbackAddress: ${reason}`, [
      { pointer: '/callbackAddress', reason },
    ]);
  }
}

/** The pids an error body for this request may name (the error handler reads them). */
export function rememberPids(res: Response, ids: Partial<ProcessIds>): void {
  const known: { providerPid?: string; consumerPid?: string } = {};
  if (typeof ids.providerPid === 'string') known.providerPid = ids.providerPid;
  if (typeof ids.consumerPid === 'string') known.consumerPid = ids.consumerPid;
  res.locals.dspPids = known;
}

export function pidsOf(res: Response): ProcessIds {
  return (res.locals.dspPids as ProcessIds | undefined) ?? {};
}

export function send(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** A path parameter (express 5 types them as string | string[]). */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value ?? '');
}

/** A POST route that reads a `type` message and answers with what `handle` returns. */
export function onMessage<T extends DspMessageType>(
  router: Router,
  path: string,
  type: T,
  handle: (
    caller: Caller,
    pid: string,
    message: DspMessages[T],
  ) => Promise<{ status: number; body: unknown }>,
): void {
  router.post(path, async (req, res) => {
    const message = await readMessage(type, req, res);
    const reply = await handle(callerFrom(res), param(req, 'pid'), message);
    send(res, reply.status, reply.body);
  });
}
