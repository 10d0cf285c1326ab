// The use-time check of an agreement when a transfer starts: constraints such as dateTime may have
// held when the contract was agreed and no longer hold now. The whole agreement is evaluated for the
// consumer as its verified credentials describe it at this request. Compiled agreements are cached by
// id (agreements never change).

import type { Caller } from '../../assets/index.js';
import { compilePolicy, type CompiledPolicy, reasonOf } from '../../../policies/index.js';
import { USE_TIME_OPERANDS, withoutVerdict } from '../negotiation/decision.js';

const MAX_CACHED = 1000;

export class AgreementChecks {
  private readonly compiled = new Map<string, Promise<CompiledPolicy>>();

  /** Undefined when the agreement permits `caller` to use its target now, else why not. */
  async denial(
    agreement: Readonly<Record<string, unknown>>,
    caller: Caller,
    providerDid: string,
    dataGrade: string | undefined,
    now: Date,
  ): Promise<string | undefined> {
    const id = String(agreement['@id']);
    const policy = await this.policy(id, agreement);
    const decision = policy.evaluate({
      action: 'use',
      assignee: caller.participantId,
      assigner: providerDid,
      target: String(agreement.target),
      ...(dataGrade !== undefined ? { asset: { dataGrade } } : {}),
      claims: caller.claims,
      time: now,
      // Purpose, place and counts are judged per access by the data plane, with the real values.
      deferred: USE_TIME_OPERANDS,
    });
    if (decision.permitted) return undefined;
    return `agreement ${id} does not permit this use now (${decision.code}): ${withoutVerdict(reasonOf(decision))}`;
  }

  private policy(id: string, agreement: Readonly<Record<string, unknown>>): Promise<CompiledPolicy> {
    let policy = this.compiled.get(id);
    if (policy === undefined) {
      if (this.compiled.size >= MAX_CACHED) this.compiled.clear();
      policy = compilePolicy(agreement).then((result) => result.policy);
      this.compiled.set(id, policy);
    }
    return policy;
  }
}
