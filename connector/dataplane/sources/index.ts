// The source kinds Shuyu ships, behind one registry. A new kind is one module with a SourceFactory,
// added here (or passed in `extra`).
import { fileSourceFactory, type FileSourceConfig } from './file.js';
import { httpSourceFactory, type HttpSourceConfig } from './http.js';
import { inlineSourceFactory, type InlineSourceConfig } from './inline.js';
import { SourceRegistry } from './registry.js';
import type { SourceFactory } from './types.js';

export interface SourcesConfig {
  /** File assets; without it, file addresses are refused. */
  readonly file?: FileSourceConfig;
  /** Backend assets; without it, http addresses are refused. */
  readonly http?: HttpSourceConfig;
  /** Inline and generated data (on by default). */
  readonly inline?: InlineSourceConfig | false;
  readonly extra?: readonly SourceFactory[];
}

export function createSourceRegistry(config: SourcesConfig): SourceRegistry {
  const factories: SourceFactory[] = [];
  if (config.file) factories.push(fileSourceFactory(config.file));
  if (config.http) factories.push(httpSourceFactory(config.http));
  if (config.inline !== false) factories.push(inlineSourceFactory(config.inline ?? {}));
  factories.push(...(config.extra ?? []));
  return new SourceRegistry(factories);
}

export { SourceRegistry } from './registry.js';
export { fileSourceFactory, type FileSourceConfig } from './file.js';
export { httpSourceFactory, type HttpSourceConfig } from './http.js';
export { inlineSourceFactory, type InlineSourceConfig } from './inline.js';
export {
  generateCsv,
  GENERATED_COLUMN_TYPES,
  type CsvGeneratorSpec,
  type GeneratedColumn,
  type GeneratedColumnType,
} from './csv-generator.js';
export type { DataAddressLike, DataSource, OpenedData, OpenOptions, SourceFactory } from './types.js';
