// The source kinds a data plane knows. `resolve` turns a stored data address into a DataSource; it
// does no network I/O (a file path's links are followed), so the management API can call it to refuse a bad asset when it is registered.
import { DataPlaneError } from '../errors.js';
import type { DataAddressLike, DataSource, SourceFactory } from './types.js';

export class SourceRegistry {
  readonly #factories = new Map<string, SourceFactory>();

  constructor(factories: readonly SourceFactory[]) {
    for (const factory of factories) {
      if (this.#factories.has(factory.kind)) {
        throw new Error(`two source factories for kind "${factory.kind}"; register each kind once`);
      }
      this.#factories.set(factory.kind, factory);
    }
  }

  kinds(): string[] {
    return [...this.#factories.keys()];
  }

  resolve(address: unknown): DataSource {
    if (address === null || typeof address !== 'object' || Array.isArray(address)) {
      throw new DataPlaneError(
        'ERR_SOURCE_ADDRESS_INVALID',
        'The data address must be an object with a "kind"; fix the asset.',
      );
    }
    const kind = (address as { kind?: unknown }).kind;
    const factory = typeof kind === 'string' ? this.#factories.get(kind) : undefined;
    if (!factory) {
      throw new DataPlaneError(
        'ERR_SOURCE_KIND_UNKNOWN',
        `This data plane serves data addresses of kind ${this.kinds().join(', ')}, not ${JSON.stringify(kind)?.slice(0, 40)}; ` +
          'fix the asset or configure that source kind.',
        { details: { kind: String(kind).slice(0, 40) } },
      );
    }
    return factory.create(address as DataAddressLike);
  }
}
