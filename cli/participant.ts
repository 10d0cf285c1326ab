// Participant commands over the connector's management API:
//   shuyu asset|offer list|get|add|remove, shuyu catalog request|dataset,
//   shuyu negotiate start|offer|list|get|agree|finalize|request|accept|verify|terminate,
//   shuyu transfer start|list|get|suspend|resume|complete|terminate|fetch
// The headline flow needs no ids copied by hand: `negotiate start` waits for the agreement, `transfer start
// --dataset` uses the newest finalized agreement for the dataset and waits until the data can be fetched,
// `transfer fetch --dataset` downloads from the newest started transfer of it.
import { join } from 'node:path';
import { checkOutputFile, CliError, EXIT, formatTime, readJsonFile, type Output } from './io.js';
import { fetchTransfer, formatBytes, progressPrinter, type UsageLeft } from '../connector/dataplane/index.js';
import { hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from '../connector/process/config.js';
import { CONNECTOR_CONFIG_FILE } from '../connector/process/connector.js';
import type { ManagementClient } from '../connector/management/client.js';
import { ApiRefusal, managementClient } from './management-client.js';
import { commandLine, CONNECTOR_DIR_FLAG, connectorDir } from './dirs.js';
import { didFlag, didHint } from './did.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags, type FlagValues } from './spec.js';
import { usageHints, type UsageHints } from './usage-hints.js';

const DIR = CONNECTOR_DIR_FLAG;
const TARGET = {
  ...DIR,
  url: {
    type: 'string',
    value: 'URL',
    help: "the connector's URL (default: DIR/connector.json); key: $SHUYU_MANAGEMENT_KEY or DIR/management-api-key",
  },
} as const;
const COMMON = { ...TARGET, ...JSON_FLAG } as const;
const PROVIDER = {
  provider: { type: 'string', value: 'DSP-URL', help: "the provider's DSP endpoint (http://host:port/dsp)" },
  'provider-did': {
    type: 'string',
    value: 'DID',
    help: "the provider's DID (did:web:127.0.0.1%3A7710; host:port is accepted)",
  },
} as const;
const WAIT = {
  'no-wait': { type: 'boolean', help: 'return at once instead of waiting for the outcome' },
  timeout: { type: 'string', value: 'SECONDS', help: 'how long to wait (default 120)' },
} as const;
const REASON = {
  reason: { type: 'string', value: 'TEXT', help: 'the reason, sent to the other party' },
} as const;
const USAGE = {
  purpose: {
    type: 'string',
    value: 'PURPOSE',
    multiple: true,
    help: 'the purpose of use declared to the provider (e.g. insurance-claims-settlement),\nchecked at every access',
  },
  place: {
    type: 'string',
    value: 'REGION',
    multiple: true,
    help: 'where the data is used (e.g. CN-BJ), checked at every access',
  },
} as const;

/** Every flag of the participant commands (each subcommand accepts a subset). */
const OPTIONS = {
  ...COMMON,
  ...PROVIDER,
  ...WAIT,
  ...REASON,
  ...USAGE,
  dataset: { type: 'string', value: 'ID', help: 'the dataset id' },
  offer: { type: 'string', value: 'OFFER_ID', help: 'the offer id (as the catalog shows it)' },
  'offer-file': { type: 'string', value: 'FILE.json', help: 'an ODRL offer in a file' },
  consumer: { type: 'string', value: 'DSP-URL', help: "the consumer's DSP endpoint" },
  'consumer-did': { type: 'string', value: 'DID', help: "the consumer's DID" },
  agreement: { type: 'string', value: 'ID', help: 'the agreement id' },
  format: { type: 'string', value: 'FORMAT', help: 'HttpData-PULL (default) or HttpData-PUSH' },
  out: { type: 'string', value: 'FILE', help: 'the file to write (its directory must exist)' },
  'allow-unknown': {
    type: 'boolean',
    help: 'publish purposes, regions or sectors outside the vocabularies (a warning)',
  },
} as const satisfies Flags;

type Values = FlagValues<typeof OPTIONS>;

const pick = <K extends keyof typeof OPTIONS>(...keys: K[]): Pick<typeof OPTIONS, K> =>
  Object.fromEntries(keys.map((k) => [k, OPTIONS[k]])) as Pick<typeof OPTIONS, K>;

const listing = (what: string) => ({ usage: '', summary: `our ${what}`, flags: COMMON });
const one = (what: string) => ({ usage: 'ID', summary: `one ${what}, in full`, flags: COMMON });
const action = (summary: string, flags: Flags = COMMON) => ({ usage: 'ID', summary, flags });

export const ASSET_COMMAND: CommandGroup = {
  name: 'asset',
  summary: "datasets your connector offers (your connector's management API)",
  subcommands: {
    list: listing('assets'),
    get: one('asset'),
    add: {
      usage: 'FILE.json',
      summary: 'register an asset: id, title, sector, dataGrade, dataAddress (see docs/management-api.md)',
      flags: COMMON,
    },
    remove: { usage: 'ID', summary: 'remove an asset', flags: TARGET },
  },
};

export const OFFER_COMMAND: CommandGroup = {
  name: 'offer',
  summary: 'the usage policies your connector offers its assets under',
  subcommands: {
    list: listing('offers'),
    get: one('offer'),
    add: {
      usage: 'FILE.json [--allow-unknown]',
      summary: 'register an offer (assetSelector, accessPolicy, contractPolicy); both policies are checked',
      flags: pick('dir', 'url', 'json', 'allow-unknown'),
    },
    remove: { usage: 'ID', summary: 'remove an offer', flags: TARGET },
  },
};

export const NEGOTIATE_COMMAND: CommandGroup = {
  name: 'negotiate',
  summary: 'negotiate contracts (DSP contract negotiation)',
  subcommands: {
    start: {
      usage: '--provider DSP-URL --provider-did DID --dataset ID --offer OFFER_ID [--no-wait]',
      summary:
        "Consumer: request one of a provider's offers and wait until the agreement is FINALIZED (or the\n" +
        'negotiation ends), showing each state; prints the agreement id and the next command.',
      flags: pick('dir', 'url', 'json', 'provider', 'provider-did', 'dataset', 'offer', 'no-wait', 'timeout'),
    },
    offer: {
      usage:
        '--consumer DSP-URL --consumer-did DID --dataset ID --offer OFFER_ID | ID [--offer-file FILE.json]',
      summary:
        'Provider: offer one of our offers to a consumer (it accepts or counter-requests), or with ID a\n' +
        'counter-offer on that negotiation.',
      flags: pick('dir', 'url', 'json', 'consumer', 'consumer-did', 'dataset', 'offer', 'offer-file'),
    },
    list: listing('negotiations, newest first'),
    get: one('negotiation'),
    agree: action('Provider: agree (when the automation holds this step for the operator)'),
    finalize: action('Provider: finalize a verified agreement'),
    request: {
      usage: 'ID --offer-file FILE.json',
      summary: 'Consumer: counter-request with other terms',
      flags: pick('dir', 'url', 'json', 'offer-file'),
    },
    accept: action("Consumer: accept the provider's offer"),
    verify: action('Consumer: verify the agreement'),
    terminate: action(
      'Either role: end the negotiation, telling the peer why',
      pick('dir', 'url', 'json', 'reason'),
    ),
  },
};

export const TRANSFER_COMMAND: CommandGroup = {
  name: 'transfer',
  summary: 'move data under an agreement (DSP transfer process)',
  subcommands: {
    start: {
      usage: '--dataset ID | --agreement ID [--purpose P] [--place REGION] [--no-wait]   |   ID',
      summary:
        'Consumer: request a transfer under the agreement (--dataset: the newest finalized agreement for\n' +
        'that dataset), declaring the purpose and place of use the policy asks for, and wait until it is\n' +
        'STARTED. Provider: with ID, start a requested transfer.',
      flags: pick(
        'dir',
        'url',
        'json',
        'agreement',
        'dataset',
        'purpose',
        'place',
        'format',
        'no-wait',
        'timeout',
      ),
    },
    list: listing('transfers, newest first'),
    get: one('transfer'),
    suspend: action('Either role: suspend', pick('dir', 'url', 'json', 'reason')),
    resume: action('Either role: resume a suspended transfer'),
    complete: action('Either role: complete'),
    terminate: action('Either role: terminate, telling the peer why', pick('dir', 'url', 'json', 'reason')),
    fetch: {
      usage: 'ID | --dataset ID | --agreement ID   --out FILE',
      summary:
        'Stream a started pull transfer to FILE with a progress bar (--dataset/--agreement: the newest\n' +
        'started transfer under it). An interrupted download resumes when run again.',
      flags: pick('dir', 'url', 'dataset', 'agreement', 'out'),
    },
  },
};

export const CATALOG_REQUEST_SUBCOMMANDS = {
  request: {
    usage: '--provider DSP-URL --provider-did DID',
    summary: "ask a provider's connector for its catalog, as it shows it to you (DSP)",
    flags: pick('dir', 'url', 'json', 'provider', 'provider-did'),
  },
  dataset: {
    usage: 'DATASET_ID --provider DSP-URL --provider-did DID',
    summary: 'one dataset of a provider, with its offers (DSP JSON-LD)',
    flags: pick('dir', 'url', 'provider', 'provider-did'),
  },
} as const;

type Json = Record<string, unknown>;

function need(value: string | undefined, what: string, group: CommandGroup, sub: string): string {
  if (!value) {
    throw new CliError(`${what} is required; run "shuyu ${group.name} ${sub} --help"`, EXIT.usage);
  }
  return value;
}

const id = (value: string): string => encodeURIComponent(value);

function printRecord(out: Output, kind: string, r: Json): void {
  const parts = [`${kind} ${String(r.id)}`, String(r.state ?? ''), String(r.role ?? '')].filter(Boolean);
  out.line(parts.join('  '));
  for (const key of [
    'datasetId',
    'agreementId',
    'counterPartyId',
    'counterPartyAddress',
    'reason',
    'heldStep',
  ]) {
    if (r[key] !== undefined && r[key] !== null) out.line(`  ${key}: ${String(r[key])}`);
  }
  if (typeof r.updatedAt === 'string') out.line(`  updated: ${formatTime(r.updatedAt)}`);
  const access = r.access as { endpoint?: string } | undefined;
  if (access?.endpoint) out.line(`  data endpoint: ${access.endpoint}`);
  if (r.usageLeft) out.line(`  usage left: ${usageLeftLine(r.usageLeft as Json)}`);
}

/** What is left of a transfer's agreement (GET /transfers/ID/usage-left); undefined when nothing is known. */
async function usageLeftOf(api: ManagementClient, transferId: string): Promise<Json | undefined> {
  const body = await api.call<Json>('GET', `/transfers/${id(transferId)}/usage-left`).catch(() => undefined);
  return body && (body.remaining !== undefined || body.until !== undefined || body.limit !== undefined)
    ? body
    : undefined;
}

/** "7 of 10 uses, until 2026-12-31 23:59:00 +08:00" (the until in this machine's zone). */
export function usageLeftLine(left: Json): string {
  const count =
    typeof left.remaining === 'number' && typeof left.limit === 'number'
      ? `${left.remaining} of ${left.limit} uses`
      : 'no limit on the number of uses';
  const until = typeof left.until === 'string' ? `, until ${formatTime(left.until)}` : ', no time limit';
  const seen =
    typeof left.observedAt === 'string' ? ` (as the provider said at ${formatTime(left.observedAt)})` : '';
  return `${count}${until}${seen}`;
}

const GROUPS: Record<string, CommandGroup> = {
  asset: ASSET_COMMAND,
  offer: OFFER_COMMAND,
  negotiate: NEGOTIATE_COMMAND,
  transfer: TRANSFER_COMMAND,
};

function seconds(value: string | undefined): number {
  if (value === undefined) return 120;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`--timeout ${value} is not a number of seconds`, EXIT.usage);
  return n;
}

/**
 * Waits (long polls of at most 10 s) until the process is in one of `states`, telling each state it passes
 * on stderr; stops early when one of our steps is held for the operator.
 */
async function waitForState(
  api: ManagementClient,
  plural: 'negotiations' | 'transfers',
  record: Json,
  states: readonly string[],
  timeoutSeconds: number,
  out: Output,
): Promise<Json> {
  const end = Date.now() + timeoutSeconds * 1000;
  let current = record;
  let shown = String(current.state);
  out.error(`  ${shown}`);
  while (!states.includes(String(current.state))) {
    if (current.heldStep) return current;
    const left = end - Date.now();
    if (left <= 0) return current;
    const wait = Math.min(10_000, left);
    current = await api.call<Json>(
      'GET',
      `/${plural}/${id(String(record.id))}?waitFor=${states.join(',')}&timeoutMs=${Math.ceil(wait)}`,
    );
    if (String(current.state) !== shown) {
      shown = String(current.state);
      out.error(`  ${shown}`);
    }
  }
  return current;
}

/** The newest finalized agreement of ours (as consumer) for `datasetId`. */
async function agreementForDataset(api: ManagementClient, datasetId: string, dir: string): Promise<string> {
  const body = await api.call<{ negotiations: Json[] }>(
    'GET',
    '/negotiations?role=consumer&state=FINALIZED&limit=500',
  );
  const found = body.negotiations.find((n) => n.datasetId === datasetId && typeof n.agreementId === 'string');
  if (found === undefined) {
    throw new CliError(
      `no finalized agreement for ${datasetId} yet: negotiate first (${commandLine(
        'negotiate',
        'start',
        '--dir',
        dir,
        '--provider',
        'DSP-URL',
        '--provider-did',
        'DID',
        '--dataset',
        datasetId,
        '--offer',
        'OFFER_ID',
      )}; "shuyu catalog search" prints the provider and offer)`,
    );
  }
  return String(found.agreementId);
}

/** What the agreement's policy asks a transfer to declare, for hints (undefined when it cannot be read). */
async function agreementHints(api: ManagementClient, agreementId: string): Promise<UsageHints | undefined> {
  try {
    const view = await api.call<{ agreement: Json }>('GET', `/agreements/${id(agreementId)}`);
    return usageHints(view.agreement);
  } catch {
    return undefined;
  }
}

/** The purpose and place flags a policy asks for, as they would be typed. */
function usageFlags(hints: UsageHints | undefined): string[] {
  if (hints === undefined) return [];
  return [
    ...(hints.purposes[0] !== undefined ? ['--purpose', hints.purposes[0]] : []),
    ...(hints.places[0] !== undefined ? ['--place', hints.places[0]] : []),
  ];
}

/** A refusal about purpose or place, completed with the values the policy accepts. */
function explainRefusal(
  message: string,
  hints: UsageHints | undefined,
  retry: (flags: string[]) => string,
): string {
  if (hints === undefined || !/purpose|spatial|place|region/i.test(message)) return message;
  const lines = [message];
  if (hints.purposes.length > 0)
    lines.push(`The agreement permits the purpose(s): ${hints.purposes.join(', ')}`);
  if (hints.places.length > 0) lines.push(`and use within: ${hints.places.join(', ')}`);
  if (hints.purposes.length + hints.places.length > 0) lines.push(`Try: ${retry(usageFlags(hints))}`);
  return lines.join('\n');
}

export async function participantCommand(
  noun: string,
  verb: string,
  args: string[],
  out: Output,
): Promise<number> {
  const group = noun === 'catalog' ? undefined : GROUPS[noun];
  const spec: CommandGroup = group ?? {
    name: 'catalog',
    summary: '',
    subcommands: CATALOG_REQUEST_SUBCOMMANDS,
  };
  const { values, positionals } = parseFlags<typeof OPTIONS>(spec, verb, args);
  const dir = connectorDir(values.dir, values.url === undefined);
  const api = managementClient({ dir, url: values.url });
  const show = (value: unknown, readable: () => void): number => {
    if (values.json) out.line(JSON.stringify(value, null, 2));
    else readable();
    return EXIT.ok;
  };
  const required = (value: string | undefined, what: string) => need(value, what, spec, verb);
  const key = `${noun} ${verb}`;
  switch (key) {
    case 'asset list':
    case 'offer list': {
      const plural = `${noun}s`;
      const body = await api.call<Json>('GET', `/${plural}`);
      const items = (body[plural] as Json[]) ?? [];
      return show(body, () => {
        out.line(`${items.length} ${plural}`);
        for (const item of items) {
          out.line(
            noun === 'asset'
              ? `  ${String(item.id)}  ${String(item.title)} (${String(item.dataGrade)})`
              : `  ${String(item.id)}  ${String(item.approval ?? '')}`,
          );
        }
      });
    }
    case 'asset get':
    case 'offer get': {
      const body = await api.call('GET', `/${noun}s/${id(required(positionals[0], 'ID'))}`);
      out.line(JSON.stringify(body, null, 2));
      return EXIT.ok;
    }
    case 'asset add':
    case 'offer add': {
      // An offer naming purposes, regions or sectors outside the vocabularies is refused unless --allow-unknown.
      const query = noun === 'offer' && values['allow-unknown'] ? '?allowUnknown=true' : '';
      const body = await api.call<Json>(
        'POST',
        `/${noun}s${query}`,
        readJsonFile(required(positionals[0], 'FILE')),
      );
      return show(body, () => {
        out.line(`${noun} ${String((body[noun] as Json | undefined)?.id ?? body.id)} added`);
        for (const w of (body.warnings as { pointer: string; reason: string }[] | undefined) ?? []) {
          out.line(`  warning ${w.pointer}: ${w.reason}`);
        }
      });
    }
    case 'asset remove':
    case 'offer remove': {
      const target = required(positionals[0], 'ID');
      await api.call('DELETE', `/${noun}s/${id(target)}`);
      out.line(`${noun} ${target} removed`);
      return EXIT.ok;
    }
    case 'catalog request': {
      const providerDid = required(didFlag(values['provider-did'], out), '--provider-did');
      const body = await api
        .call<{ catalog: Json }>('POST', '/catalog/request', {
          counterPartyAddress: required(values.provider, '--provider'),
          counterPartyId: providerDid,
        })
        .catch(withDidHint(providerDid));
      return show(body, () => {
        const datasets = (body.catalog.dataset as Json[] | undefined) ?? [];
        out.line(`${datasets.length} dataset(s) visible to you at ${String(body.catalog.participantId)}`);
        for (const d of datasets) {
          out.line(`  ${String(d['@id'])}  ${String(d['dct:title'] ?? '')}`);
          for (const o of (d.hasPolicy as Json[]) ?? []) out.line(`      offer ${String(o['@id'])}`);
        }
      });
    }
    case 'catalog dataset': {
      const providerDid = required(didFlag(values['provider-did'], out), '--provider-did');
      const body = await api
        .call('POST', '/catalog/dataset', {
          counterPartyAddress: required(values.provider, '--provider'),
          counterPartyId: providerDid,
          datasetId: required(positionals[0], 'DATASET_ID'),
        })
        .catch(withDidHint(providerDid));
      out.line(JSON.stringify(body, null, 2));
      return EXIT.ok;
    }
    case 'negotiate start':
      return negotiateStart(api, dir, values, out, required);
    case 'negotiate offer': {
      if (positionals[0] !== undefined) break; // a counter-offer on negotiation ID: below
      const consumerDid = required(didFlag(values['consumer-did'], out), '--consumer-did');
      const body = await api.call<Json>('POST', '/negotiations', {
        role: 'provider',
        counterPartyAddress: required(values.consumer, '--consumer'),
        counterPartyId: consumerDid,
        datasetId: required(values.dataset, '--dataset'),
        offerId: required(values.offer, '--offer'),
      });
      return show(body, () => {
        printRecord(out, 'negotiation', body);
        out.line(`Follow it with: ${commandLine('negotiate', 'get', String(body.id), '--dir', dir)}`);
      });
    }
    case 'transfer start': {
      if (positionals[0] !== undefined && values.agreement === undefined && values.dataset === undefined)
        break; // provider start: below
      return transferStart(api, dir, values, out, required);
    }
    case 'transfer fetch':
      return transferFetch(api, dir, values, positionals[0], out);
    case 'negotiate list':
    case 'transfer list': {
      const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
      const body = await api.call<Json>('GET', `/${plural}`);
      const items = (body[plural] as Json[]) ?? [];
      // A transfer that can still move data shows what is left of its agreement.
      if (noun === 'transfer')
        for (const r of items)
          if (r.state === 'STARTED' || r.state === 'SUSPENDED')
            r.usageLeft = await usageLeftOf(api, String(r.id));
      return show(body, () => {
        out.line(`${items.length} ${plural}`);
        for (const r of items)
          out.line(
            `  ${String(r.id)}  ${String(r.role)}  ${String(r.state)}  ${String(r.datasetId ?? r.agreementId ?? '')}  ${formatTime(String(r.updatedAt ?? ''))}` +
              (r.usageLeft ? `  left: ${usageLeftLine(r.usageLeft as Json)}` : ''),
          );
      });
    }
    case 'negotiate get':
    case 'transfer get': {
      const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
      const body = await api.call<Json>('GET', `/${plural}/${id(required(positionals[0], 'ID'))}`);
      if (noun === 'transfer') body.usageLeft = await usageLeftOf(api, String(body.id));
      return show(body, () => printRecord(out, noun === 'negotiate' ? 'negotiation' : 'transfer', body));
    }
  }
  // The operator's actions on one negotiation or transfer (POST /<processes>/ID/<action>).
  const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
  if (verb === 'request' && values['offer-file'] === undefined) required(undefined, '--offer-file');
  const body = await api.call<Json>('POST', `/${plural}/${id(required(positionals[0], 'ID'))}/${verb}`, {
    ...(values.reason ? { reason: values.reason } : {}),
    ...(values['offer-file'] ? { offer: readJsonFile(values['offer-file']) } : {}),
  });
  return show(body, () => printRecord(out, noun === 'negotiate' ? 'negotiation' : 'transfer', body));
}

/** Adds the DID hint to a refusal caused by a wrong DID. */
function withDidHint(did: string): (error: unknown) => never {
  return (error: unknown) => {
    if (error instanceof CliError) {
      const hint = didHint(error.message, did);
      if (hint) throw new CliError(error.message + hint, error.exitCode);
    }
    throw error;
  };
}

type Required = (value: string | undefined, what: string) => string;

async function negotiateStart(
  api: ManagementClient,
  dir: string,
  values: Values,
  out: Output,
  required: Required,
): Promise<number> {
  const providerDid = required(didFlag(values['provider-did'], out), '--provider-did');
  const datasetId = required(values.dataset, '--dataset');
  const started = await api
    .call<Json>('POST', '/negotiations', {
      counterPartyAddress: required(values.provider, '--provider'),
      counterPartyId: providerDid,
      datasetId,
      offerId: required(values.offer, '--offer'),
    })
    .catch(withDidHint(providerDid));
  const done = values['no-wait']
    ? started
    : await waitForState(
        api,
        'negotiations',
        started,
        ['FINALIZED', 'TERMINATED'],
        seconds(values.timeout),
        out,
      );
  if (values.json) {
    out.line(JSON.stringify(done, null, 2));
    return done.state === 'TERMINATED' ? EXIT.invalid : EXIT.ok;
  }
  printRecord(out, 'negotiation', done);
  if (done.state === 'FINALIZED') {
    const agreementId = String(done.agreementId);
    out.line(`Agreement ${agreementId}`);
    const hints = await agreementHints(api, agreementId);
    out.line(
      `Next: ${commandLine('transfer', 'start', '--dir', dir, '--dataset', datasetId, ...usageFlags(hints))}`,
    );
    return EXIT.ok;
  }
  if (done.state === 'TERMINATED') {
    throw new CliError(`the negotiation ended TERMINATED: ${String(done.reason ?? 'no reason given')}`);
  }
  const follow = commandLine('negotiate', 'get', String(done.id), '--dir', dir);
  out.line(
    done.heldStep
      ? `Waiting for the operator's decision (${String(done.heldStep)}); follow it with: ${follow}`
      : `Follow it with: ${follow}`,
  );
  return EXIT.ok;
}

async function transferStart(
  api: ManagementClient,
  dir: string,
  values: Values,
  out: Output,
  required: Required,
): Promise<number> {
  if (values.agreement === undefined && values.dataset === undefined)
    required(undefined, '--dataset or --agreement');
  const agreementId = values.agreement ?? (await agreementForDataset(api, String(values.dataset), dir));
  const which = values.dataset !== undefined ? ['--dataset', values.dataset] : ['--agreement', agreementId];
  const retry = (flags: string[]) => commandLine('transfer', 'start', '--dir', dir, ...which, ...flags);
  const hints = await agreementHints(api, agreementId);
  if (
    hints !== undefined &&
    ((hints.purposes.length > 0 && !values.purpose) || (hints.places.length > 0 && !values.place))
  ) {
    // The provider checks the declared usage at every access: without it the download would be refused.
    out.error(
      `warning: the agreement asks for the purpose and place of use; every access will be refused without them.`,
    );
    out.error(`  try: ${retry(usageFlags(hints))}`);
  }
  let started: Json;
  try {
    started = await api.call<Json>('POST', '/transfers', {
      agreementId,
      format: values.format ?? 'HttpData-PULL',
      ...(values.purpose ? { purpose: values.purpose } : {}),
      ...(values.place ? { spatial: values.place } : {}),
    });
  } catch (error) {
    if (error instanceof ApiRefusal && error.status === 403) {
      throw new CliError(explainRefusal(error.message, hints, retry));
    }
    throw error;
  }
  const done = values['no-wait']
    ? started
    : await waitForState(
        api,
        'transfers',
        started,
        ['STARTED', 'TERMINATED', 'COMPLETED'],
        seconds(values.timeout),
        out,
      );
  if (values.json) out.line(JSON.stringify(done, null, 2));
  else printRecord(out, 'transfer', done);
  if (done.state === 'TERMINATED') {
    const reason = `the transfer ended TERMINATED: ${String(done.reason ?? 'no reason given')}`;
    throw new CliError(explainRefusal(reason, hints, retry));
  }
  if (!values.json && done.state === 'STARTED' && (values.format ?? 'HttpData-PULL') === 'HttpData-PULL') {
    // A file name from the dataset id (its last segment), so the printed command runs as it is.
    const name = values.dataset?.split(/[:/#]/).pop() || 'transfer-data';
    out.line(`Next: ${commandLine('transfer', 'fetch', String(done.id), '--dir', dir, '--out', name)}`);
  }
  return EXIT.ok;
}

/** The newest STARTED consumer transfer under `agreementId`. */
async function startedTransferOf(api: ManagementClient, agreementId: string): Promise<string | undefined> {
  const body = await api.call<{ transfers: Json[] }>(
    'GET',
    `/transfers?role=consumer&state=STARTED&agreementId=${id(agreementId)}`,
  );
  const found = body.transfers[0];
  return found === undefined ? undefined : String(found.id);
}

async function transferFetch(
  api: ManagementClient,
  dir: string,
  values: Values,
  given: string | undefined,
  out: Output,
): Promise<number> {
  const outFile = need(values.out, '--out', TRANSFER_COMMAND, 'fetch');
  checkOutputFile(outFile);
  let transferId = given;
  if (transferId === undefined) {
    if (values.agreement === undefined && values.dataset === undefined) {
      need(undefined, 'a transfer ID, --dataset or --agreement', TRANSFER_COMMAND, 'fetch');
    }
    const agreementId = values.agreement ?? (await agreementForDataset(api, String(values.dataset), dir));
    transferId = await startedTransferOf(api, agreementId);
    if (transferId === undefined) {
      const which =
        values.dataset !== undefined ? ['--dataset', values.dataset] : ['--agreement', agreementId];
      const hints = await agreementHints(api, agreementId);
      throw new CliError(
        `no started transfer under agreement ${agreementId}; start one first: ${commandLine(
          'transfer',
          'start',
          '--dir',
          dir,
          ...which,
          ...usageFlags(hints),
        )}`,
      );
    }
  }
  const record = await api.call<Json>('GET', `/transfers/${id(transferId)}`);
  const access = record.access as { endpoint?: string; authorization?: string } | undefined;
  if (record.state !== 'STARTED' || !access?.endpoint || !access.authorization) {
    throw new CliError(
      `transfer ${transferId} is ${String(record.state)}${access?.endpoint ? '' : ' and has no data address yet'}; ` +
        `a pull transfer can be fetched once it is STARTED (${commandLine('transfer', 'get', transferId, '--dir', dir)})`,
    );
  }
  // The same hosts the connector itself may reach; a local data space lives on loopback.
  const config = readConfigFile<{ didHosts?: string[] }>(join(dir, CONNECTOR_CONFIG_FILE));
  const hostPolicy = hostPolicyFor(config?.didHosts ?? LOCAL_DID_HOSTS);
  // The provider says with each answer what is left; the connector keeps it on the transfer.
  let left: UsageLeft | undefined;
  const recordLeft = async (): Promise<void> => {
    if (left === undefined) return;
    const body = await api
      .call<Json>('PUT', `/transfers/${id(String(record.id))}/usage-left`, { ...left })
      .catch(() => left as Json);
    out.line(`Usage left: ${usageLeftLine(body)}`);
  };
  const result = await fetchTransfer({
    endpoint: access.endpoint,
    authorization: access.authorization,
    outFile,
    hostPolicy,
    allowPrivateAddresses: hostPolicy.allowHttpForLoopback === true,
    onProgress: progressPrinter(),
    onUsageLeft: (value) => {
      left = value;
    },
  }).catch(async (error: Error & { code?: string }) => {
    await recordLeft();
    // A failed download says itself how to resume; a refusal is not cured by running it again.
    const hints = /purpose|spatial|place/i.test(error.message)
      ? await agreementHints(api, String(record.agreementId))
      : undefined;
    throw new CliError(
      explainRefusal(error.message, hints, (flags) =>
        commandLine(
          'transfer',
          'start',
          '--dir',
          dir,
          ...(values.dataset !== undefined
            ? ['--dataset', values.dataset]
            : ['--agreement', String(record.agreementId)]),
          ...flags,
        ),
      ),
    );
  });
  out.line(
    `${formatBytes(result.bytes)} written to ${result.file}` +
      (result.resumes > 0 ? ` (resumed ${result.resumes} time(s))` : ''),
  );
  await recordLeft();
  return EXIT.ok;
}
