// DSP message layer throughput: parseDspMessage on a body already in the compacted DSP form (fast
// path) and on the same body as expanded JSON-LD (jsonld expand + compact), each beside JSON.parse of
// the same text in the same run, so the ratios show what normalising and schema validation cost.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';
import {
  buildContractRequestMessage,
  DSP_DOCUMENT_LOADER,
  parseDspMessage,
  type DspMessageType,
  type JsonObject,
  type MessageOffer,
} from '../connector/dsp/messages/index.js';
import { formatRate, measureAsync, ratio, type Rate } from './harness.js';

function example(file: string): JsonObject {
  const url = new URL(`../connector/dsp/spec/examples/${file}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as JsonObject;
}

async function expandedText(body: JsonObject): Promise<string> {
  const options = { documentLoader: DSP_DOCUMENT_LOADER } as unknown as jsonld.Options.Expand;
  return JSON.stringify(await jsonld.expand(body as jsonld.JsonLdDocument, options));
}

/** A catalog of `n` datasets, each with one offer of two constraints: what a crawler reads. */
function catalog(n: number): JsonObject {
  const base = example('catalog.json');
  const template = (base.dataset as JsonObject[])[0] as JsonObject;
  base.dataset = Array.from({ length: n }, (_, i) => ({
    ...structuredClone(template),
    '@id': `urn:shuyu:dataset:${i}`,
    'dct:title': `Dataset ${i}`,
  }));
  return base;
}

async function mustParse(type: DspMessageType, text: string, path: 'fast' | 'expanded'): Promise<void> {
  const r = await parseDspMessage(type, text);
  if (!r.ok || r.path !== path) throw new Error(`bench input for ${type} does not take the ${path} path`);
}

async function suite(label: string, type: DspMessageType, body: JsonObject, counts: [number, number]) {
  const text = JSON.stringify(body);
  const expanded = await expandedText(body);
  await mustParse(type, text, 'fast');
  await mustParse(type, expanded, 'expanded');
  const base: Rate = await measureAsync(
    `${label}: JSON.parse (baseline)`,
    async () => JSON.parse(text),
    counts[0],
  );
  const fast = await measureAsync(
    `${label}: parseDspMessage, fast path`,
    () => parseDspMessage(type, text),
    counts[0],
  );
  const slow = await measureAsync(
    `${label}: parseDspMessage, expansion path`,
    () => parseDspMessage(type, expanded),
    counts[1],
  );
  for (const r of [base, fast, slow]) console.log(formatRate(r));
  console.log(`  ratio: the fast path costs ${ratio(fast, base)}; the expansion path ${ratio(slow, base)}`);
  console.log(`  the expansion path costs ${(fast.perSecond / slow.perSecond).toFixed(1)}x the fast path`);
}

export async function run(): Promise<void> {
  console.log('\n# DSP message layer (connector/dsp/messages)');
  await suite(
    'ContractRequestMessage',
    'ContractRequestMessage',
    example('contract-request-message.json'),
    [100_000, 2_000],
  );
  await suite('Catalog, 100 datasets', 'Catalog', catalog(100), [2_000, 50]);

  const offer = example('contract-request-message.json').offer as unknown as MessageOffer;
  const fields = { providerPid: 'urn:p', consumerPid: 'urn:c', offer };
  const built = await measureAsync(
    'buildContractRequestMessage (incl. schema check)',
    async () => buildContractRequestMessage(fields),
    100_000,
  );
  const stringify = await measureAsync(
    'JSON.stringify of the built message (baseline)',
    async () => JSON.stringify(fields),
    100_000,
  );
  console.log(formatRate(built));
  console.log(formatRate(stringify));
  console.log(`  ratio: building costs ${ratio(built, stringify)}`);
}
