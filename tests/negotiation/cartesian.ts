// Generates one test per (role, state or none, direction, message) for a DSP state machine and checks it
// against a hand-written list of the specification's transitions, so the table can neither lose nor
// silently gain a transition.
import { expect } from 'chai';
import type { Direction, MessageEvent, Role, TransitionResult } from '../../connector/negotiation/index.js';

const ROLES: readonly Role[] = ['provider', 'consumer'];
const DIRECTIONS: readonly Direction[] = ['sent', 'received'];

interface Expected {
  readonly role: Role;
  readonly from: string | undefined;
  readonly direction: Direction;
  readonly message: string;
  readonly to: string;
}

/**
 * Parses lines "FROM MESSAGE SENDER TO" ("-" for no state yet; SENDER C or P) and expands each into the
 * sender's "sent" and the other party's "received" view.
 */
export function expandSpec(text: string): Expected[] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => {
      const [from, message, sender, to, ...rest] = line.split(/\s+/);
      if (!from || !message || !to || rest.length > 0 || (sender !== 'C' && sender !== 'P')) {
        throw new Error(`bad spec line: ${line}`);
      }
      const senderRole: Role = sender === 'C' ? 'consumer' : 'provider';
      return ROLES.map((role) => ({
        role,
        from: from === '-' ? undefined : from,
        direction: role === senderRole ? ('sent' as const) : ('received' as const),
        message,
        to,
      }));
    });
}

function key(role: Role, from: string | undefined, direction: Direction, message: string): string {
  return `${role} ${from ?? '(none)'} ${direction} ${message}`;
}

export function describeCartesian<S extends string, M extends string>(options: {
  readonly states: readonly S[];
  readonly messages: readonly M[];
  readonly spec: string;
  readonly specRows: number;
  readonly decide: (role: Role, state: S | undefined, event: MessageEvent<M>) => TransitionResult<S>;
}): void {
  const expected = new Map(
    expandSpec(options.spec).map((e) => [key(e.role, e.from, e.direction, e.message), e.to]),
  );
  const states: readonly (S | undefined)[] = [undefined, ...options.states];

  it(`the hand-written list has ${options.specRows} transitions, ${options.specRows * 2} combinations`, () => {
    expect(expandSpec(options.spec)).to.have.length(options.specRows * 2);
    expect(expected.size).to.equal(options.specRows * 2); // no line listed twice
  });

  it('the table allows exactly the listed combinations, no more', () => {
    let allowed = 0;
    for (const role of ROLES)
      for (const state of states)
        for (const direction of DIRECTIONS)
          for (const message of options.messages) {
            if (options.decide(role, state, { direction, message }).ok) allowed += 1;
          }
    expect(allowed).to.equal(options.specRows * 2);
  });

  for (const role of ROLES)
    for (const state of states)
      for (const direction of DIRECTIONS)
        for (const message of options.messages) {
          const name = key(role, state, direction, message);
          const to = expected.get(name);
          it(`${name} -> ${to ?? 'refused'}`, () => {
            const result = options.decide(role, state, { direction, message });
            if (to !== undefined) {
              expect(result).to.deep.equal({ ok: true, state: to });
              return;
            }
            expect(result.ok).to.equal(false);
            if (result.ok) return;
            const verb = direction === 'received' ? 'accepted' : 'sent';
            const where =
              state === undefined
                ? `by the ${role} without an existing `
                : `in state ${state} by the ${role}: `;
            expect(result.reason).to.match(/^a \S+( with eventType [A-Z]+)? cannot be /);
            expect(result.reason).to.include(` cannot be ${verb} ${where}`);
          });
        }
}
