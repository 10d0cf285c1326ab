// JSON-LD contexts the data space operator supplies beside the bundled ones: a folder of context files in
// the data space profile (see docs/identity.md, "Operator contexts"), which the authority hands to its members
// with the rest of the profile. The loader serves them like bundled contexts; nothing is ever fetched from
// the context's own URL. Layout: `index.json` maps each context URL to a file name in the same folder:
//   { "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.jsonld" }
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentLoaderError } from '../errors.js';
import { isRecord } from '../util/json.js';

export const OPERATOR_CONTEXTS_INDEX = 'index.json';
/** Per context document; the largest common contexts (VC v2, schema.org subsets) are well below this. */
export const MAX_OPERATOR_CONTEXT_BYTES = 512 * 1024;
export const MAX_OPERATOR_CONTEXTS = 64;

function invalid(reason: string, url?: string): DocumentLoaderError {
  return new DocumentLoaderError('ERR_CONTEXT_INVALID', `Operator context ${reason}.`, {
    ...(url !== undefined ? { details: { url: url.slice(0, 200) } } : {}),
  });
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`URL ${JSON.stringify(url.slice(0, 200))} is not a URL`, url);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(`URL ${url.slice(0, 200)} must be http(s)`, url);
  }
}

function checkDocument(url: string, document: unknown): object {
  if (!isRecord(document) || !('@context' in document)) {
    throw invalid(`${url.slice(0, 200)} is not a JSON-LD context document (an object with "@context")`, url);
  }
  return document;
}

/**
 * Checks the distributed form (URL -> context document) and returns it as the loader's extra contexts.
 * Throws DocumentLoaderError on a bad URL, a non-context document, or too many of them.
 */
export function parseOperatorContexts(value: unknown): Map<string, object> {
  if (value === undefined) return new Map();
  if (!isRecord(value)) throw invalid('set must be an object mapping context URLs to documents');
  const entries = Object.entries(value);
  if (entries.length > MAX_OPERATOR_CONTEXTS) {
    throw invalid(`set has ${entries.length} contexts; at most ${MAX_OPERATOR_CONTEXTS} are accepted`);
  }
  const contexts = new Map<string, object>();
  for (const [url, document] of entries) {
    checkUrl(url);
    contexts.set(url, checkDocument(url, document));
  }
  return contexts;
}

/** Reads the operator's context folder (index.json plus the files it names); a missing folder is empty. */
export function readOperatorContextFolder(dir: string): Map<string, object> {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(join(dir, OPERATOR_CONTEXTS_INDEX), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw invalid(
      `folder ${dir}: ${OPERATOR_CONTEXTS_INDEX} is not readable JSON (${(error as Error).message})`,
    );
  }
  if (!isRecord(index))
    throw invalid(`folder ${dir}: ${OPERATOR_CONTEXTS_INDEX} must map context URLs to file names`);
  const documents: Record<string, unknown> = {};
  for (const [url, file] of Object.entries(index)) {
    if (typeof file !== 'string' || !/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('.')) {
      throw invalid(
        `folder ${dir}: the file for ${url.slice(0, 200)} must be a plain file name in the folder`,
        url,
      );
    }
    const path = join(dir, file);
    try {
      if (statSync(path).size > MAX_OPERATOR_CONTEXT_BYTES) {
        throw invalid(`file ${path} is larger than ${MAX_OPERATOR_CONTEXT_BYTES} bytes`, url);
      }
      documents[url] = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      if (error instanceof DocumentLoaderError) throw error;
      throw invalid(`file ${path} is not readable JSON (${(error as Error).message})`, url);
    }
  }
  return parseOperatorContexts(documents);
}
