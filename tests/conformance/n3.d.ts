// Minimal typings for the untyped n3 package, covering what the DCAT-AP test calls: parsing Turtle and
// N-Quads into a store (an RDF/JS DatasetCore, which rdf-validate-shacl reads).
declare module 'n3' {
  import type { DatasetCore, Quad } from '@rdfjs/types';
  export class Parser {
    constructor(options?: { format?: string });
    parse(input: string): Quad[];
  }
  export class Store implements DatasetCore {
    constructor(quads?: Quad[]);
    readonly size: number;
    add(quad: Quad): this;
    delete(quad: Quad): this;
    has(quad: Quad): boolean;
    match(...args: Parameters<DatasetCore['match']>): DatasetCore;
    [Symbol.iterator](): Iterator<Quad>;
  }
}
