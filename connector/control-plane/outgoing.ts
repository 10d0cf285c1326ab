// Helpers for local actions (the operator's and the automation's): run one change to a process in a
// transaction, build outgoing messages with input errors reported as 400s, and fail clearly when the
// peer cannot be addressed yet.

import { compilePolicy } from '../../policies/index.js';
import { dspPolicyBody } from '../assets/dsp.js';
import { DspError } from '../dsp/messages/index.js';
import { HttpProblem } from '../http/problem.js';
import type { HostPolicy } from '../identity/index.js';
import { checkPeerAddress, PeerAddressError } from './peers/address.js';

/** Builds an outgoing message; a schema violation caused by operator input becomes a 400 with pointers. */
export function outgoing<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof DspError && e.code === 'invalid-outgoing-message') {
      throw new HttpProblem(400, 'invalid-message', `${e.reason}; fix the input`, e.errors);
    }
    throw e;
  }
}

/** The peer's URL, or a 409 while the peer's pid is not known (its answer to our request is pending). */
export function reachable(url: string | undefined, noun: string): string {
  if (url !== undefined) return url;
  throw new HttpProblem(
    409,
    'peer-pid-unknown',
    `the counterparty has not acknowledged this ${noun} yet, so it cannot be addressed; retry shortly`,
  );
}

/**
 * A policy given to us (by the operator, or a peer's catalog offer), checked by the policy engine
 * (problems → 400 with pointers) and rewritten in the DSP wire form: peers refuse terms outside the
 * DSP context (`uid`, bare Shuyu operands), so what we send is what our own catalog would show.
 */
export async function checkedPolicy(policy: unknown, pointer: string): Promise<Record<string, unknown>> {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new HttpProblem(400, 'invalid-body', `${pointer} must be an ODRL policy object`, [
      { pointer, reason: 'expected an object' },
    ]);
  }
  const compiled = await compilePolicy(policy);
  if (!compiled.ok || compiled.canonical === undefined) {
    throw new HttpProblem(
      400,
      'invalid-policy',
      `${pointer} is not a valid ODRL policy`,
      compiled.problems.map((p) => ({ pointer: `${pointer}${p.path}`, reason: p.message })),
    );
  }
  const doc = compiled.canonical.doc;
  return { ...(typeof doc.uid === 'string' ? { '@id': doc.uid } : {}), ...dspPolicyBody(doc) };
}

/** A counterparty address the operator gives, checked by the host policy (refusal → 400). */
export function operatorPeerAddress(policy: HostPolicy, value: string): string {
  try {
    return checkPeerAddress(policy, value, 'counterPartyAddress');
  } catch (e) {
    if (!(e instanceof PeerAddressError)) throw e;
    throw new HttpProblem(400, 'peer-address-refused', e.message, [
      { pointer: '/counterPartyAddress', reason: e.message },
    ]);
  }
}
