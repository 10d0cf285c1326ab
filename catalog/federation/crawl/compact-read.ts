// Reading a catalog page without JSON-LD processing when processing would not change it.
//
// parseDspMessage skips jsonld only when every key of the body is a term or prefixed name of the DSP
// context (connector/dsp/messages/scan.ts). Shuyu connectors also write absolute-IRI keys the DSP
// context does not cover (https://w3id.org/shuyu/v1#sector, #dataGrade, #accessPolicy, rdf:value in
// full), so every page of theirs went through jsonld expand + compact: about 5 ms per dataset, which
// made a crawl of 10,000 datasets take a minute of CPU, for an output equal to the input.
//
// JSON-LD leaves such a key alone: with no term, prefix or @vocab for it, expansion keeps the IRI and
// compaction can only give it back as written; its value is read with the same active context as a
// value under any other property without a term definition. So the page is already in compact form
// exactly when the scan calls it compact once each of those keys is replaced by a prefixed name the
// scan knows to be stable (the value under it is still scanned). Pages with any other context, a
// nested context or a key the context could compact fall back to parseDspMessage, unchanged.
import { scanBody } from '../../../connector/dsp/messages/scan.js';
import { DSP_TERMS } from '../../../connector/dsp/messages/terms.js';
import {
  DSP_CONTEXT_URL,
  validateDspMessage,
  type JsonObject,
} from '../../../connector/dsp/messages/index.js';

const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Every IRI the DSP context maps (terms and prefixes): a key starting with one of them may compact. */
const CONTEXT_IRIS: readonly string[] = [...new Set([...DSP_TERMS.termIris, ...DSP_TERMS.prefixes.values()])];

/** An absolute IRI key compaction with the DSP context returns unchanged. */
export function isForeignIriKey(key: string): boolean {
  return ABSOLUTE_IRI.test(key) && !CONTEXT_IRIS.some((iri) => key.startsWith(iri));
}

/** A stand-in key the scan treats as stable: `dct:` with a local name no DSP term stands for. */
const STAND_IN = 'dct:x-shuyu-foreign-';
const STAND_IN_TYPE = 'dct:X-shuyu-foreign-class';
/**
 * The DSP context defines `format` (dct:format) for Distributions only: on a DataService (the transfer
 * types it serves, DCAT-AP) compaction keeps "dct:format", though the scan, not knowing where it is,
 * takes any key of a term's IRI for one compaction would rewrite.
 */
const DCT_FORMAT = 'dct:format';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A copy of `value` with foreign IRI keys replaced by distinct stand-ins (for the scan only). */
function withStandIns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStandIns);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [key, child] of Object.entries(value)) {
    let name = key;
    if (isForeignIriKey(key) || (key === DCT_FORMAT && value['@type'] === 'DataService')) {
      do name = `${STAND_IN}${n++}`;
      while (Object.hasOwn(value, name) || Object.hasOwn(out, name));
    }
    // A class IRI outside the context (foaf:Agent, vcard:Kind in full) comes back from compaction as is.
    out[name] =
      key === '@type' && typeof child === 'string' && isForeignIriKey(child)
        ? STAND_IN_TYPE
        : withStandIns(child);
  }
  return out;
}

function dspContextOnly(context: unknown): boolean {
  return (
    context === DSP_CONTEXT_URL ||
    (Array.isArray(context) && context.length === 1 && context[0] === DSP_CONTEXT_URL)
  );
}

/**
 * The page as a DSP Catalog when it is already in the compact DSP form (keys the context does not
 * cover aside) and valid against the DSP Catalog schema; undefined when it needs parseDspMessage.
 */
export function readCompactCatalog(raw: unknown): JsonObject | undefined {
  if (!isObject(raw) || raw['@type'] !== 'Catalog' || !dspContextOnly(raw['@context'])) return undefined;
  const scan = scanBody(withStandIns(raw) as object);
  if (scan.errors.length > 0 || !scan.compact) return undefined;
  if (validateDspMessage('Catalog', raw).length > 0) return undefined;
  return { ...(raw as JsonObject), '@context': [DSP_CONTEXT_URL] };
}
