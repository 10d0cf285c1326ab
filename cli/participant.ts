// Participant commands over the connector's management API:
//   shuyu asset|offer list|get|add|remove, shuyu catalog request|dataset,
//   shuyu negotiate start|offer|list|get|agree|finalize|request|accept|verify|terminate,
//   shuyu transfer start|list|get|suspend|resume|complete|terminate|fetch
import { parseArgs } from 'node:util';
import { CliError, EXIT, readJsonFile, type Output } from './io.js';
import { fetchTransfer, formatBytes, progressPrinter } from '../connector/dataplane/index.js';
import { join } from 'node:path';
import { hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from '../connector/process/config.js';
import { CONNECTOR_CONFIG_FILE } from '../connector/process/connector.js';
import { managementClient } from './management-client.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const PARTICIPANT_HELP = `Usage (talking to your connector's management API; common: [--dir DIR (default ${DEFAULT_CONNECTOR_DIR})] [--url URL] [--json]):
  shuyu asset list | get ID | add FILE.json | remove ID
  shuyu offer list | get ID | add FILE.json [--allow-unknown] | remove ID
  shuyu catalog request --provider DSP-URL --provider-did DID
  shuyu catalog dataset DATASET_ID --provider DSP-URL --provider-did DID
  shuyu negotiate start --provider DSP-URL --provider-did DID --dataset ID --offer OFFER_ID
  shuyu negotiate offer --consumer DSP-URL --consumer-did DID --dataset ID --offer OFFER_ID
      As provider: offer one of our offers to a consumer (it accepts or counter-requests).
  shuyu negotiate list | get ID
  shuyu negotiate agree ID | finalize ID | offer ID [--offer-file FILE.json]       (provider)
  shuyu negotiate accept ID | verify ID | request ID --offer-file FILE.json        (consumer)
  shuyu negotiate terminate ID [--reason TEXT]
  shuyu transfer start --agreement ID [--format HttpData-PULL]   (consumer: request a transfer)
  shuyu transfer start ID                                         (provider: start a requested one)
  shuyu transfer list | get ID | suspend ID [--reason TEXT] | resume ID | complete ID | terminate ID [--reason TEXT]
  shuyu transfer fetch ID --out FILE
      Stream a started pull transfer to FILE with a progress bar; run it again to resume after an interruption.`;

const OPTIONS = {
  dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR },
  url: { type: 'string' },
  json: { type: 'boolean' },
  provider: { type: 'string' },
  'provider-did': { type: 'string' },
  dataset: { type: 'string' },
  offer: { type: 'string' },
  'offer-file': { type: 'string' },
  consumer: { type: 'string' },
  'consumer-did': { type: 'string' },
  agreement: { type: 'string' },
  format: { type: 'string', default: 'HttpData-PULL' },
  reason: { type: 'string' },
  out: { type: 'string' },
  'allow-unknown': { type: 'boolean' },
} as const;

type Json = Record<string, unknown>;

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`${what} is required\n${PARTICIPANT_HELP}`, EXIT.usage);
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
  const access = r.access as { endpoint?: string } | undefined;
  if (access?.endpoint) out.line(`  data endpoint: ${access.endpoint}`);
}

export async function participantCommand(noun: string, args: string[], out: Output): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === undefined || verb === 'help') {
    out.line(PARTICIPANT_HELP);
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  const api = managementClient({ dir: values.dir, url: values.url });
  const show = (value: unknown, readable: () => void): number => {
    if (values.json) out.line(JSON.stringify(value, null, 2));
    else readable();
    return EXIT.ok;
  };
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
      const body = await api.call('GET', `/${noun}s/${id(need(positionals[0], 'ID'))}`);
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
        readJsonFile(need(positionals[0], 'FILE')),
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
      const target = need(positionals[0], 'ID');
      await api.call('DELETE', `/${noun}s/${id(target)}`);
      out.line(`${noun} ${target} removed`);
      return EXIT.ok;
    }
    case 'catalog request': {
      const body = await api.call<{ catalog: Json }>('POST', '/catalog/request', {
        counterPartyAddress: need(values.provider, '--provider'),
        counterPartyId: need(values['provider-did'], '--provider-did'),
      });
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
      const body = await api.call('POST', '/catalog/dataset', {
        counterPartyAddress: need(values.provider, '--provider'),
        counterPartyId: need(values['provider-did'], '--provider-did'),
        datasetId: need(positionals[0], 'DATASET_ID'),
      });
      out.line(JSON.stringify(body, null, 2));
      return EXIT.ok;
    }
    case 'negotiate start': {
      const body = await api.call<Json>('POST', '/negotiations', {
        counterPartyAddress: need(values.provider, '--provider'),
        counterPartyId: need(values['provider-did'], '--provider-did'),
        datasetId: need(values.dataset, '--dataset'),
        offerId: need(values.offer, '--offer'),
      });
      return show(body, () => {
        printRecord(out, 'negotiation', body);
        out.line(`Follow it with: shuyu negotiate get ${String(body.id)}`);
      });
    }
    case 'negotiate offer': {
      if (positionals[0] !== undefined) break; // a counter-offer on negotiation ID: below
      const body = await api.call<Json>('POST', '/negotiations', {
        role: 'provider',
        counterPartyAddress: need(values.consumer, '--consumer'),
        counterPartyId: need(values['consumer-did'], '--consumer-did'),
        datasetId: need(values.dataset, '--dataset'),
        offerId: need(values.offer, '--offer'),
      });
      return show(body, () => {
        printRecord(out, 'negotiation', body);
        out.line(`Follow it with: shuyu negotiate get ${String(body.id)}`);
      });
    }
    case 'transfer start': {
      if (positionals[0] !== undefined && values.agreement === undefined) break; // provider start: below
      const body = await api.call<Json>('POST', '/transfers', {
        agreementId: need(values.agreement, '--agreement'),
        format: values.format,
      });
      return show(body, () => printRecord(out, 'transfer', body));
    }
    case 'transfer fetch': {
      const transferId = need(positionals[0], 'ID');
      const outFile = need(values.out, '--out');
      const record = await api.call<Json>('GET', `/transfers/${id(transferId)}`);
      const access = record.access as { endpoint?: string; authorization?: string } | undefined;
      if (record.state !== 'STARTED' || !access?.endpoint || !access.authorization) {
        throw new CliError(
          `transfer ${transferId} is ${String(record.state)}${access?.endpoint ? '' : ' and has no data address yet'}; ` +
            'a pull transfer can be fetched once it is STARTED (shuyu transfer get ID)',
        );
      }
      // The same hosts the connector itself may reach; a local data space lives on loopback.
      const config = readConfigFile<{ didHosts?: string[] }>(join(values.dir, CONNECTOR_CONFIG_FILE));
      const hostPolicy = hostPolicyFor(config?.didHosts ?? LOCAL_DID_HOSTS);
      const result = await fetchTransfer({
        endpoint: access.endpoint,
        authorization: access.authorization,
        outFile,
        hostPolicy,
        allowPrivateAddresses: hostPolicy.allowHttpForLoopback === true,
        onProgress: progressPrinter(),
      }).catch((error: Error) => {
        throw new CliError(`${error.message}\nRun the same command again to resume.`);
      });
      out.line(
        `${formatBytes(result.bytes)} written to ${result.file}` +
          (result.resumes > 0 ? ` (resumed ${result.resumes} time(s))` : ''),
      );
      return EXIT.ok;
    }
    case 'negotiate list':
    case 'transfer list': {
      const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
      const body = await api.call<Json>('GET', `/${plural}`);
      const items = (body[plural] as Json[]) ?? [];
      return show(body, () => {
        out.line(`${items.length} ${plural}`);
        for (const r of items)
          out.line(
            `  ${String(r.id)}  ${String(r.role)}  ${String(r.state)}  ${String(r.datasetId ?? r.agreementId ?? '')}`,
          );
      });
    }
    case 'negotiate get':
    case 'transfer get': {
      const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
      const body = await api.call<Json>('GET', `/${plural}/${id(need(positionals[0], 'ID'))}`);
      return show(body, () => printRecord(out, noun === 'negotiate' ? 'negotiation' : 'transfer', body));
    }
  }
  // The operator's actions on one negotiation or transfer (POST /<processes>/ID/<action>).
  const actions: Record<string, readonly string[]> = {
    negotiate: ['offer', 'agree', 'finalize', 'request', 'accept', 'verify', 'terminate'],
    transfer: ['start', 'suspend', 'resume', 'complete', 'terminate'],
  };
  if (!actions[noun]?.includes(verb))
    throw new CliError(`unknown command "shuyu ${key}"\n${PARTICIPANT_HELP}`, EXIT.usage);
  const plural = noun === 'negotiate' ? 'negotiations' : 'transfers';
  if (verb === 'request' && values['offer-file'] === undefined) need(undefined, '--offer-file');
  const body = await api.call<Json>('POST', `/${plural}/${id(need(positionals[0], 'ID'))}/${verb}`, {
    ...(values.reason ? { reason: values.reason } : {}),
    ...(values['offer-file'] ? { offer: readJsonFile(values['offer-file']) } : {}),
  });
  return show(body, () => printRecord(out, noun === 'negotiate' ? 'negotiation' : 'transfer', body));
}
