// A DSP state machine as a table of rules, the way the specification draws it: "from state S, a message M
// sent by the consumer (C) or the provider (P) leads to state T". Both parties track the same state, so one
// rule serves both views: the sender applies it when it sends M, the other party when it receives M.
// Writing the rule once, keyed by sender, keeps the provider's and the consumer's tables from drifting apart.
// Shared by negotiation/ and transfer/.

export type Role = 'provider' | 'consumer';

/** 'sent': we decided to send the message (a local decision); 'received': the counterparty sent it. */
export type Direction = 'sent' | 'received';

export interface MessageEvent<M extends string> {
  readonly direction: Direction;
  readonly message: M;
}

export interface Rule<S extends string, M extends string> {
  /** undefined: no process exists yet; the message starts one. */
  readonly from: S | undefined;
  readonly message: M;
  readonly sender: Role;
  readonly to: S;
}

export type TransitionResult<S extends string> =
  { readonly ok: true; readonly state: S } | { readonly ok: false; readonly reason: string };

/** One allowed (role, state, event) combination as seen by one party; for documentation and tests. */
export interface AllowedTransition<S extends string, M extends string> {
  readonly role: Role;
  readonly from: S | undefined;
  readonly event: MessageEvent<M>;
  readonly to: S;
}

export const ROLES: readonly Role[] = ['provider', 'consumer'];
export const DIRECTIONS: readonly Direction[] = ['sent', 'received'];

export function otherRole(role: Role): Role {
  return role === 'provider' ? 'consumer' : 'provider';
}

/** Who sent the message, seen from `role`'s side. */
export function senderOf(role: Role, direction: Direction): Role {
  return direction === 'sent' ? role : otherRole(role);
}

export function sent<M extends string>(message: M): MessageEvent<M> {
  return { direction: 'sent', message };
}

export function received<M extends string>(message: M): MessageEvent<M> {
  return { direction: 'received', message };
}

export interface StateTableSpec<S extends string, M extends string> {
  /** "negotiation" or "transfer process", for reasons. */
  readonly process: string;
  readonly states: readonly S[];
  readonly messages: readonly M[];
  readonly terminal: readonly S[];
  readonly rules: readonly Rule<S, M>[];
  /** How a message reads in a sentence, e.g. "ContractNegotiationEventMessage with eventType ACCEPTED". */
  readonly label?: (message: M) => string;
}

const NONE = '-';

export class StateTable<S extends string, M extends string> {
  private readonly next = new Map<string, S>();
  private readonly label: (message: M) => string;

  constructor(readonly spec: StateTableSpec<S, M>) {
    this.label = spec.label ?? ((m) => m);
    for (const rule of spec.rules) {
      const key = ruleKey(rule.from, rule.message, rule.sender);
      // A duplicate would make the table ambiguous; fail at load, not in production traffic.
      if (this.next.has(key)) throw new Error(`${spec.process} table lists ${key} twice`);
      if (rule.from !== undefined && spec.terminal.includes(rule.from)) {
        throw new Error(`${spec.process} table leaves terminal state ${rule.from}`);
      }
      this.next.set(key, rule.to);
    }
  }

  isTerminal(state: S): boolean {
    return this.spec.terminal.includes(state);
  }

  /** The state after `event` in `state` (undefined: no process yet), or why the event is refused. */
  decide(role: Role, state: S | undefined, event: MessageEvent<M>): TransitionResult<S> {
    const sender = senderOf(role, event.direction);
    const to = this.next.get(ruleKey(state, event.message, sender));
    if (to !== undefined) return { ok: true, state: to };
    return { ok: false, reason: this.refusal(role, state, event, sender) };
  }

  /** The one state `message` from `sender` leads to, whatever the state before; undefined if it varies. */
  targetOf(message: M, sender: Role): S | undefined {
    const targets = new Set(
      this.spec.rules.filter((r) => r.message === message && r.sender === sender).map((r) => r.to),
    );
    return targets.size === 1 ? [...targets][0] : undefined;
  }

  /** Every allowed combination from both parties' points of view (each rule appears twice). */
  allowed(): AllowedTransition<S, M>[] {
    return this.spec.rules.flatMap((rule) =>
      ROLES.map((role) => ({
        role,
        from: rule.from,
        event: { direction: role === rule.sender ? 'sent' : 'received', message: rule.message } as const,
        to: rule.to,
      })),
    );
  }

  private refusal(role: Role, state: S | undefined, event: MessageEvent<M>, sender: Role): string {
    const verb = event.direction === 'received' ? 'accepted' : 'sent';
    const where =
      state === undefined
        ? `by the ${role} without an existing ${this.spec.process}`
        : `in state ${state} by the ${role}`;
    const head = `a ${this.label(event.message)} cannot be ${verb} ${where}`;
    return `${head}: ${this.why(state, event.message, sender)}`;
  }

  private why(state: S | undefined, message: M, sender: Role): string {
    if (state !== undefined && this.isTerminal(state)) return `${state} is a terminal state`;
    if (!this.spec.rules.some((r) => r.message === message && r.sender === sender)) {
      return `only the ${otherRole(sender)} sends it`;
    }
    const options = this.spec.rules.filter((r) => r.from === state && r.sender === sender);
    if (state === undefined) {
      const starts = this.spec.rules
        .filter((r) => r.from === undefined)
        .map((r) => `a ${this.label(r.message)} from the ${r.sender}`);
      return `a new ${this.spec.process} starts with ${orList(starts)}`;
    }
    if (options.length === 0) return `the ${sender} sends nothing in ${state}`;
    return `in ${state} the ${sender} may send only ${orList(options.map((r) => this.label(r.message)))}`;
  }
}

function ruleKey(from: string | undefined, message: string, sender: Role): string {
  return `${from ?? NONE}|${message}|${sender}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
