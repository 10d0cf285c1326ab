// Shared fixtures for the DSP message tests: the bundled 2025-1 examples, read from the repository
// copy (connector/dsp/spec), never from the team's shared folder, so CI on a clean checkout runs them.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DspMessageType, DspSchemaName, JsonObject } from '../../../connector/dsp/messages/index.js';

const EXAMPLES = fileURLToPath(new URL('../../../connector/dsp/spec/examples/', import.meta.url));

export interface Example {
  readonly file: string;
  readonly schema: DspSchemaName;
  readonly body: JsonObject;
}

/** The schema each example is for: its @type, or the plain documents' schema by file name. */
function schemaOf(file: string, body: JsonObject): DspSchemaName {
  if (typeof body['@type'] === 'string') return body['@type'] as DspMessageType;
  if (file === 'protocol-version.json') return 'VersionResponse';
  return 'DidService';
}

export function examples(): Example[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const body = JSON.parse(readFileSync(EXAMPLES + file, 'utf8')) as JsonObject;
      return { file, schema: schemaOf(file, body), body };
    });
}

/** The JSON-LD DSP messages among the examples (not the version body, not the DID service entries). */
export function messageExamples(): Array<Example & { schema: DspMessageType }> {
  return examples().filter(
    (e): e is Example & { schema: DspMessageType } =>
      e.schema !== 'VersionResponse' && e.schema !== 'DidService',
  );
}

export const DSP = 'https://w3id.org/dspace/2025/1/context.jsonld';

export function clone<T>(value: T): T {
  return structuredClone(value);
}
