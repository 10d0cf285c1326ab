// What one scenario does, step by step, as the DSP TCK's pipelines do it (dsp-system
// ProviderNegotiationPipelineImpl, ConsumerNegotiationPipelineImpl, the transfer pipelines and the
// HTTP clients): send a message and check the answer the TCK's way, wait for the message the connector
// under test must send, read its state with a DSP GET; and, where the TCK's mock actions stand for a step
// the connector under test takes itself, take that step the way its operator would, through the
// management API.
import {
  TCK_TOKEN,
  compacted,
  DSPACE,
  checkAnswer,
  expanded,
  idProperty,
  sleep,
  type Counterparty,
  type Inbound,
  type Json,
} from './counterparty.js';
import type { ConnectorUnderTest, ScenarioIds } from './connector-under-test.js';

export type ProcessKind = 'negotiations' | 'transfers';

export class Driver {
  /** Every pid this scenario's processes have (on either side): what the leftover check looks for. */
  readonly pids: string[] = [];

  constructor(
    readonly cut: ConnectorUnderTest,
    readonly party: Counterparty,
    readonly ids: ScenarioIds,
    readonly timeoutMs: number,
  ) {}

  /** The TCK's pause() between steps of a mock action (100–200 ms), and the counterparty's own delay. */
  async pause(ms = 200): Promise<void> {
    await sleep(ms + this.party.delay());
  }

  /** A DSP message from the TCK to `url` (absolute, or relative to the connector's DSP base). */
  async send(url: string, message: Json, expectError = false): Promise<Json> {
    await sleep(this.party.delay());
    const target = url.startsWith('http') ? url : `${this.cut.dsp}${url}`;
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TCK_TOKEN}` },
      body: JSON.stringify(await compacted(message)),
    });
    const text = await response.text();
    const body = parse(text);
    checkAnswer(response.status, expectError, `${String(message['@type'])} to ${target}`, body);
    return body;
  }

  /** A TCK hook call (plain JSON, the static token), as its initiate clients make it. */
  async hook(path: string, body: Json): Promise<void> {
    await sleep(this.party.delay());
    const response = await fetch(`${this.cut.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TCK_TOKEN}` },
      body: JSON.stringify(body),
    });
    const answer = parse(await response.text());
    checkAnswer(response.status, false, `the hook ${path}`, answer);
  }

  /** The expanded answer's pid, as the TCK reads it. */
  async pidOf(body: Json, name: 'providerPid' | 'consumerPid'): Promise<string> {
    const pid = idProperty(await expanded(body), `${DSPACE}${name}`);
    if (pid === undefined) throw new Error(`the answer has no ${name}: ${JSON.stringify(body)}`);
    this.pids.push(pid);
    return pid;
  }

  /** Waits for the message the connector under test must send to `<callback>/<kind>/<pid>/<step>`. */
  expect(kind: ProcessKind, pid: string, step: string): Promise<Inbound> {
    const path = `/${kind}/${pid}/${step}`;
    return this.party.take(path, (m) => m.path === path, this.timeoutMs);
  }

  /** Waits for an initial request (CN_C, TP_C), recognised by its body. */
  expectRequest(kind: ProcessKind, matches: (body: Json) => boolean): Promise<Inbound> {
    return this.party.take(
      `/${kind}/request`,
      (m) => m.path === `/${kind}/request` && matches(m.body),
      this.timeoutMs,
    );
  }

  /** thenVerifyProviderState / thenVerifyConsumerState: the state a DSP GET shows, expanded. */
  async state(kind: ProcessKind, pid: string, base = this.cut.dsp): Promise<string | undefined> {
    const response = await fetch(`${base}/${kind}/${pid}`, {
      headers: { authorization: `Bearer ${TCK_TOKEN}` },
    });
    const body = parse(await response.text());
    checkAnswer(response.status, false, `GET ${kind}/${pid}`, body);
    return idProperty(await expanded(body), `${DSPACE}state`)?.replace(DSPACE, '');
  }

  /** One GET after a pause (the negotiation pipelines). */
  async verifyState(kind: ProcessKind, pid: string, expected: string, base?: string): Promise<void> {
    await sleep(100);
    const actual = await this.state(kind, pid, base);
    if (actual !== expected)
      throw new Error(`GET ${kind}/${pid}: state ${String(actual)}, expected ${expected}`);
  }

  /** Polls the state until it matches (the transfer pipelines' thenWait). */
  async awaitState(kind: ProcessKind, pid: string, expected: string, base?: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let actual: string | undefined;
    while (Date.now() < deadline) {
      actual = await this.state(kind, pid, base);
      if (actual === expected) return;
      await sleep(100);
    }
    throw new Error(`GET ${kind}/${pid}: state ${String(actual)}, expected ${expected}`);
  }

  // ---- the operator of the connector under test ----

  /** A management action (`POST /management/v1/<kind>/<id>/<action>`), which must be accepted. */
  async operator(kind: ProcessKind, id: string, action: string, body: Json = {}): Promise<Json> {
    const { status, body: answer } = await this.cut.api.post(
      `/${kind}/${encodeURIComponent(id)}/${action}`,
      body,
    );
    if (status !== 200)
      throw new Error(`operator ${action} on ${kind}/${id}: ${status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** The management view of one of the connector's processes. */
  async record(kind: ProcessKind, id: string): Promise<Json> {
    const { status, body } = await this.cut.api.get(`/${kind}/${encodeURIComponent(id)}`);
    if (status !== 200) throw new Error(`GET management ${kind}/${id}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  /** Waits until the connector knows the counterparty's pid (its request was answered). */
  async counterpartyPidKnown(
    kind: ProcessKind,
    id: string,
    field: 'providerPid' | 'consumerPid',
  ): Promise<Json> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const record = await this.record(kind, id);
      if (typeof record[field] === 'string') return record;
      if (Date.now() > deadline) throw new Error(`${kind}/${id} never learnt its ${field}`);
      await sleep(50);
    }
  }

  /** After the last step: the connector under test sent nothing the scenario did not expect. */
  async noLeftovers(idleMs: number): Promise<void> {
    await sleep(idleMs);
    const extra = this.party.unexpected(this.pids);
    if (extra.length > 0) {
      throw new Error(
        `unexpected messages: ${extra.map((m) => `${m.path} ${String(m.body['@type'])}`).join(', ')}`,
      );
    }
  }
}

function parse(text: string): Json {
  try {
    return text ? (JSON.parse(text) as Json) : {};
  } catch {
    return { text };
  }
}
