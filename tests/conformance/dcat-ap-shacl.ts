// The DCAT-AP 3.0 SHACL check the conformance tests share: the unmodified shapes (bundled in
// fixtures/dcat-ap), JSON-LD to RDF with the bundled contexts only (safe mode, every jsonld
// event recorded), and the violations the validator reports, summarised by path and constraint.
import jsonld from 'jsonld';
import { Parser, Store } from 'n3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SHACLValidator from 'rdf-validate-shacl';
import { DSP_DOCUMENT_LOADER, type JsonObject } from '../../connector/dsp/messages/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The unmodified DCAT-AP 3.0.0 shapes, bundled (fixtures/dcat-ap/README.md: source and licence). */
export const SHAPES = join(ROOT, 'tests', 'conformance', 'fixtures', 'dcat-ap', 'dcat-ap-SHACL.ttl');

/** The validator for the shapes (compiled once per call; the tests call it once per file). */
export function shapesValidator(): SHACLValidator {
  const shapes = new Store(new Parser({ format: 'text/turtle' }).parse(readFileSync(SHAPES, 'utf8')));
  return new SHACLValidator(shapes);
}

/** N-Quads of the document: bundled contexts only, safe mode, every jsonld event recorded. */
export async function toRdf(doc: JsonObject): Promise<{ quads: Store; events: string[] }> {
  const events: string[] = [];
  const nquads = (await jsonld.toRDF(
    structuredClone(doc) as jsonld.JsonLdDocument,
    {
      format: 'application/n-quads',
      documentLoader: DSP_DOCUMENT_LOADER,
      base: null,
      safe: true,
      eventHandler: ({ event, next }: { event: { code: string; details?: unknown }; next: () => void }) => {
        events.push(`${event.code} ${JSON.stringify(event.details)}`);
        next();
      },
    } as unknown as jsonld.Options.ToRdf,
  )) as unknown as string;
  const quads = new Store(new Parser({ format: 'application/n-quads' }).parse(nquads));
  return { quads, events };
}

export interface Violation {
  readonly shape: string;
  readonly path: string;
  readonly focus: string;
  readonly value: string;
  readonly literal: boolean;
  readonly message: string;
}

export const DCAT = 'http://www.w3.org/ns/dcat#';
export const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

export const short = (iri: string): string =>
  iri
    .replace('http://purl.org/dc/terms/', 'dct:')
    .replace('http://www.w3.org/ns/dcat#', 'dcat:')
    .replace('http://xmlns.com/foaf/0.1/', 'foaf:')
    .replace('http://www.w3.org/2006/vcard/ns#', 'vcard:')
    .replace('http://www.w3.org/ns/shacl#', 'sh:');

export async function violations(validator: SHACLValidator, data: Store): Promise<Violation[]> {
  const report = await validator.validate(data);
  return report.results
    .filter((r) => r.severity?.value === 'http://www.w3.org/ns/shacl#Violation')
    .map((r) => ({
      shape: short(r.sourceConstraintComponent?.value ?? '?'),
      path: short(r.path?.value ?? '(node)'),
      focus: r.focusNode?.value ?? '?',
      value: r.value?.value ?? '',
      literal: r.value?.termType === 'Literal',
      message: r.message.map((m) => m.value).join('; '),
    }));
}

/** Violations counted by path and constraint, with one example each: what a failing run prints. */
export function summary(found: readonly Violation[]): string {
  const groups = new Map<string, { n: number; example: Violation }>();
  for (const v of found) {
    const key = `${v.path} ${v.shape}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { n: 1, example: v });
    else group.n += 1;
  }
  return [...groups]
    .sort((a, b) => b[1].n - a[1].n)
    .map(
      ([key, { n, example }]) => `${n} × ${key} (e.g. ${example.focus} ${example.value}: ${example.message})`,
    )
    .join('\n');
}
