// A vocabulary hierarchy (action includedIn, purpose subclass, region part-of) compiled once into
// ancestor sets, so "is x within y" is one Set lookup at evaluation time.

/** Term → its direct parents (broader terms). */
export type HierarchyDefinition = Readonly<Record<string, readonly string[]>>;

export class Hierarchy {
  private readonly ancestors = new Map<string, ReadonlySet<string>>();

  constructor(
    readonly name: string,
    definition: HierarchyDefinition,
  ) {
    for (const term of Object.keys(definition)) this.resolve(term, definition, new Set());
  }

  private resolve(term: string, definition: HierarchyDefinition, visiting: Set<string>): ReadonlySet<string> {
    const known = this.ancestors.get(term);
    if (known) return known;
    if (visiting.has(term)) throw new Error(`vocabulary ${this.name}: cycle through "${term}"`);
    visiting.add(term);
    const set = new Set<string>([term]);
    for (const parent of definition[term] ?? []) {
      for (const a of this.resolve(parent, definition, visiting)) set.add(a);
    }
    visiting.delete(term);
    this.ancestors.set(term, set);
    return set;
  }

  has(term: string): boolean {
    return this.ancestors.has(term);
  }

  /** True when `term` equals `broader` or lies below it. */
  within(term: string, broader: string): boolean {
    return term === broader || (this.ancestors.get(term)?.has(broader) ?? false);
  }

  /** All terms (for linting and listings). */
  terms(): IterableIterator<string> {
    return this.ancestors.keys();
  }
}

/** Builds a definition where every listed child has the one parent given. */
export function childrenOf(parent: string, children: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(children.map((c) => [c, [parent]]));
}
