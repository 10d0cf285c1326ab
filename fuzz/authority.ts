// `npm run fuzz -- authority [--seconds N] [--count N] [--seed S]`: mutated valid requests against the
// authority's public listener (info, profile, status lists, applications, products, the federated catalog's
// search, dataset, DCAT-AP and DSP views) and its admin listener (applications, members, products, audit,
// crawl status, the console), one at a time, for a bounded time and count. The oracle, as for the HTTP
// fuzzer: no 5xx, no answer slower than 5 s, every error a JSON body (problem+json, or a DSP error on the
// catalog's DSP paths), and a refused request changes nothing the admin API lists.
import fc from 'fast-check';
import {
  bankApplication,
  hospitalApplication,
  onboard,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../tests/authority/helpers.js';
import type { RunningConnector } from '../connector/process/connector.js';

type Listener = 'public' | 'admin';
type Auth = 'none' | 'admin' | 'member' | 'applicant' | 'garbage';

interface Template {
  readonly listener: Listener;
  readonly method: 'GET' | 'POST';
  /** Path segments; a segment starting with ":" is a value the mutations may replace. */
  readonly path: readonly string[];
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly auth: Auth;
}

export interface AuthorityFuzzRequest {
  readonly listener: Listener;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly mutations: readonly string[];
}

export interface AuthorityFuzzFailure {
  readonly request: AuthorityFuzzRequest;
  readonly status?: number;
  readonly detail: string;
}

export interface AuthorityFuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  byListener: Record<Listener, number>;
  failures: AuthorityFuzzFailure[];
  seconds: number;
}

export interface AuthorityFuzzOptions {
  readonly seconds: number;
  readonly count: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The valid requests the mutations start from; `ids` are the world's real application and member ids. */
function templates(ids: { application: string; member: string; provider: string }): Template[] {
  const admin = (method: 'GET' | 'POST', path: string[], body?: unknown, query?: Record<string, string>) =>
    ({
      listener: 'admin',
      method,
      path,
      auth: 'admin',
      ...(body ? { body } : {}),
      ...(query ? { query } : {}),
    }) as Template;
  const pub = (path: string[], auth: Auth = 'none', query?: Record<string, string>): Template => ({
    listener: 'public',
    method: 'GET',
    path,
    auth,
    ...(query ? { query } : {}),
  });
  return [
    pub(['authority', 'v1']),
    pub(['authority', 'v1', 'profile']),
    pub(['authority', 'v1', 'status', ':revocation']),
    pub(['.well-known', 'did.json']),
    pub(['authority', 'v1', 'applications', 'mine'], 'applicant'),
    pub(['authority', 'v1', 'products'], 'none', { limit: '10', offset: '0' }),
    pub(['authority', 'v1', 'products', ':x']),
    pub(['catalog', 'v1', 'search'], 'member', {
      q: '门诊 visits',
      sort: 'relevance',
      limit: '5',
      offset: '0',
    }),
    pub(['catalog', 'v1', 'search'], 'none', {
      q: 'claims',
      region: 'CN',
      purpose: 'research',
      price: 'free',
    }),
    pub(['catalog', 'v1', 'search'], 'admin', {
      registered: 'registered',
      credential: 'MembershipCredential',
    }),
    pub(['catalog', 'v1', 'datasets', `:${ids.provider}`, ':urn:dataset:x'], 'member'),
    pub(['catalog', 'dcat-ap'], 'none'),
    {
      listener: 'public',
      method: 'POST',
      path: ['authority', 'v1', 'applications'],
      auth: 'applicant',
      body: bankApplication({ organisationName: 'Fuzz Bank' }),
    },
    {
      listener: 'public',
      method: 'POST',
      path: ['catalog', 'dsp', 'catalog', 'request'],
      auth: 'member',
      body: {
        '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
        '@type': 'CatalogRequestMessage',
      },
    },
    admin('GET', ['authority', 'v1', 'admin', 'applications'], undefined, { state: 'pending', limit: '10' }),
    admin('GET', ['authority', 'v1', 'admin', 'applications', `:${ids.application}`]),
    admin('POST', ['authority', 'v1', 'admin', 'applications', ':x', ':reject'], { reason: 'fuzz' }),
    admin('GET', ['authority', 'v1', 'admin', 'members'], undefined, { state: 'active', offset: '0' }),
    admin('GET', ['authority', 'v1', 'admin', 'members', `:${ids.member}`]),
    admin('POST', ['authority', 'v1', 'admin', 'members', ':did:web:nobody.example', ':suspend'], {
      reason: 'fuzz',
    }),
    admin('GET', ['authority', 'v1', 'admin', 'audit'], undefined, { limit: '5', before: '100' }),
    admin('GET', ['authority', 'v1', 'admin', 'products'], undefined, { state: 'pending' }),
    admin('POST', ['authority', 'v1', 'admin', 'products', ':x', ':approve'], { note: 'fuzz' }),
    admin('GET', ['catalog', 'v1', 'crawl-status']),
    admin('GET', ['console', 'login']),
  ];
}

const WEIRD_STRINGS = [
  '',
  '..',
  '%2e%2e%2f%2e%2e',
  '%',
  '%ff',
  '\u0000',
  '\ud800',
  "' OR 1=1 --",
  '"*"',
  'NEAR(a b)',
  'a'.repeat(5_000),
  '-1',
  '99999999999999999999',
  '1e309',
  'NaN',
  '[]',
  '{}',
  '数据',
  '<script>',
];

/** A string that is often hostile. */
const hostile = fc.oneof(
  fc.constantFrom(...WEIRD_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** A JSON value of any shape, sometimes deep. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown),
  hostile,
);

type Mutation = (t: Template, headers: Record<string, string>) => { t: Template; name: string; raw?: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  hostile.map<Mutation>((value) => (t) => ({
    t: { ...t, path: t.path.map((s) => (s.startsWith(':') ? `:${value}` : s)) },
    name: 'path value',
  })),
  fc
    .tuple(fc.constantFrom('q', 'limit', 'offset', 'state', 'sort', 'before', 'region', 'x'), hostile)
    .map<Mutation>(([key, value]) => (t) => ({
      t: { ...t, query: { ...t.query, [key]: value } },
      name: `query ${key}`,
    })),
  fc.tuple(fc.string({ maxLength: 12 }), anyJson).map<Mutation>(([key, value]) => (t) => ({
    t: {
      ...t,
      body:
        t.body !== null && typeof t.body === 'object' && !Array.isArray(t.body)
          ? { ...(t.body as object), [key || 'reason']: value }
          : value,
    },
    name: 'body field',
  })),
  anyJson.map<Mutation>((value) => (t) => ({ t: { ...t, body: value }, name: 'body replaced' })),
  fc
    .constantFrom('{"reason":', '\u0000', 'x'.repeat(300_000), '[1,2', 'null')
    .map<Mutation>((raw) => (t) => ({
      t: { ...t, method: 'POST' },
      name: 'raw body',
      raw,
    })),
  fc.constantFrom<Auth>('none', 'admin', 'member', 'applicant', 'garbage').map<Mutation>((auth) => (t) => ({
    t: { ...t, auth },
    name: `auth ${auth}`,
  })),
  fc.constant<Mutation>((t) => ({
    t: { ...t, listener: t.listener === 'admin' ? 'public' : 'admin' },
    name: 'other listener',
  })),
  fc.constant<Mutation>((t) => ({
    t: { ...t, method: t.method === 'GET' ? 'POST' : 'GET' },
    name: 'method',
  })),
);

interface World {
  readonly space: LocalDataSpace;
  readonly member: RunningConnector;
  readonly applicant: RunningConnector;
  readonly ids: { application: string; member: string; provider: string };
}

async function startWorld(): Promise<World> {
  const space = await startLocalDataSpace();
  const member = await space.startConnector('hospital');
  await onboard(space, member, hospitalApplication());
  const applicant = await space.startConnector('applicant');
  const pending = await applicant.authority.apply(
    hospitalApplication({ organisationName: 'Pending Clinic' }),
  );
  return {
    space,
    member,
    applicant,
    ids: { application: String(pending.id), member: member.did, provider: member.did },
  };
}

async function headersFor(world: World, auth: Auth): Promise<Record<string, string>> {
  switch (auth) {
    case 'none':
      return {};
    case 'admin':
      return { authorization: `Bearer ${world.space.adminKey}` };
    case 'member':
      return { authorization: `Bearer ${await world.member.requestTokenFor(world.space.authority.did)}` };
    case 'applicant':
      return { authorization: `Bearer ${await world.applicant.authority.idToken()}` };
    case 'garbage':
      return { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' };
  }
}

async function materialise(
  world: World,
  t: Template,
  mutations: string[],
  raw?: string,
): Promise<AuthorityFuzzRequest> {
  const path =
    '/' +
    t.path.map((s) => (s.startsWith(':') ? encodeURIComponentLoose(s.slice(1)) : s)).join('/') +
    (t.query ? `?${new URLSearchParams(t.query).toString()}` : '');
  const headers = await headersFor(world, t.auth);
  const body = t.method === 'POST' ? (raw ?? JSON.stringify(t.body ?? {})) : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return {
    listener: t.listener,
    method: t.method,
    path,
    headers,
    ...(body !== undefined ? { body } : {}),
    mutations,
  };
}

/** encodeURIComponent that keeps lone surrogates and hostile percent sequences as they are (a raw path). */
function encodeURIComponentLoose(value: string): string {
  try {
    return value.includes('%') ? value.replace(/\//g, '%2F') : encodeURIComponent(value);
  } catch {
    return value.replace(/[^\x21-\x7e]/g, '_');
  }
}

/** What the admin API lists: applications, members, products, and the audit log's length. */
async function adminState(world: World): Promise<string> {
  const parts: string[] = [];
  for (const path of [
    '/applications?limit=500',
    '/members?limit=500',
    '/products?limit=500',
    '/audit?limit=500',
  ]) {
    const r = await world.space.admin('GET', path);
    parts.push(`${r.status} ${JSON.stringify(r.body)}`);
  }
  return parts.join('\n');
}

async function send(
  world: World,
  req: AuthorityFuzzRequest,
): Promise<{ status?: number; type: string; body: string; ms: number; error?: string }> {
  const base = req.listener === 'admin' ? world.space.authority.admin.url : world.space.authority.url;
  const started = Date.now();
  try {
    const answer = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await answer.text();
    return {
      status: answer.status,
      type: answer.headers.get('content-type') ?? '',
      body,
      ms: Date.now() - started,
    };
  } catch (error) {
    return { type: '', body: '', ms: Date.now() - started, error: (error as Error).message };
  }
}

/** The oracle's verdict on one answer, or undefined when it holds. */
export function judge(
  req: AuthorityFuzzRequest,
  outcome: Awaited<ReturnType<typeof send>>,
): string | undefined {
  if (outcome.error !== undefined) {
    // The client refuses to send some hostile paths (e.g. raw control characters): not an answer.
    return /Invalid|invalid/.test(outcome.error) ? undefined : `no answer: ${outcome.error}`;
  }
  if (outcome.ms > 5_000) return `answered after ${outcome.ms} ms`;
  const status = outcome.status ?? 0;
  if (status >= 500) return `${status}: ${outcome.body.slice(0, 300)}`;
  // The console is an HTML application: its refusals are pages (its own lane checks them).
  if (status >= 400 && !req.path.startsWith('/console')) {
    const dsp = req.path.startsWith('/catalog/dsp/');
    const jsonType = dsp ? /^application\/(problem\+)?json/ : /^application\/problem\+json/;
    if (!jsonType.test(outcome.type)) return `${status} with content-type "${outcome.type}"`;
    try {
      JSON.parse(outcome.body);
    } catch {
      return `${status} with a body that is not JSON: ${outcome.body.slice(0, 100)}`;
    }
  }
  return undefined;
}

export async function runAuthorityFuzz(options: AuthorityFuzzOptions): Promise<AuthorityFuzzReport> {
  const world = await startWorld();
  const report: AuthorityFuzzReport = {
    requests: 0,
    byStatus: {},
    byListener: { public: 0, admin: 0 },
    failures: [],
    seconds: 0,
  };
  const started = Date.now();
  try {
    const all = templates(world.ids);
    const cases = fc.tuple(
      fc.nat({ max: all.length - 1 }),
      fc.array(mutation, { minLength: 0, maxLength: 3 }),
    );
    let batch = 0;
    while (report.requests < options.count && Date.now() - started < options.seconds * 1000) {
      if (options.signal?.aborted) break;
      for (const [index, mutations] of fc.sample(cases, { seed: options.seed + batch, numRuns: 50 })) {
        if (report.requests >= options.count || Date.now() - started >= options.seconds * 1000) break;
        let template = all[index] as Template;
        const names: string[] = [];
        let raw: string | undefined;
        for (const mutate of mutations) {
          const next = mutate(template, {});
          template = next.t;
          names.push(next.name);
          if (next.raw !== undefined) raw = next.raw;
        }
        const req = await materialise(world, template, names, raw);
        const mutating = req.method === 'POST';
        const before = mutating ? await adminState(world) : undefined;
        const outcome = await send(world, req);
        report.requests++;
        report.byListener[req.listener]++;
        const cls = outcome.status !== undefined ? `${Math.floor(outcome.status / 100)}xx` : 'none';
        report.byStatus[cls] = (report.byStatus[cls] ?? 0) + 1;
        let verdict = judge(req, outcome);
        if (verdict === undefined && before !== undefined && (outcome.status ?? 0) >= 400) {
          const after = await adminState(world);
          if (after !== before)
            verdict = `a refused request (${outcome.status}) changed what the admin API lists`;
        }
        if (verdict !== undefined) {
          report.failures.push({
            request: req,
            ...(outcome.status !== undefined ? { status: outcome.status } : {}),
            detail: verdict,
          });
          options.log?.(
            `FAIL ${req.method} ${req.listener} ${req.path.slice(0, 120)} [${names.join(', ')}]: ${verdict}`,
          );
        }
      }
      batch++;
    }
  } finally {
    report.seconds = (Date.now() - started) / 1000;
    await world.space.close();
  }
  return report;
}

export function formatAuthorityReport(report: AuthorityFuzzReport): string[] {
  return [
    `${report.requests} requests in ${report.seconds.toFixed(1)} s (public ${report.byListener.public}, admin ${report.byListener.admin})`,
    `by status: ${Object.entries(report.byStatus)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `${report.failures.length} oracle violations`,
    ...report.failures
      .slice(0, 20)
      .map(
        (f) =>
          `  ${f.request.method} ${f.request.listener} ${f.request.path.slice(0, 160)} [${f.request.mutations.join(', ')}]: ${f.detail}`,
      ),
  ];
}
