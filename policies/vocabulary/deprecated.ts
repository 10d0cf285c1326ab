// Terms ODRL 2.0 and 2.1 defined and ODRL 2.2 deprecated (the "Deprecated Terms" collection of the
// ODRL 2.2 ontology). Those with a 2.2 equivalent (skos:exactMatch, or the 2.0 → 2.1 migration note)
// are read as that term, with a lint note; those without one stay unknown, and the error says why.

/** Deprecated actions and their ODRL 2.2 replacements. */
export const DEPRECATED_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['write', 'modify'],
  ['writeTo', 'modify'],
  ['append', 'modify'],
  ['appendTo', 'modify'],
  ['copy', 'reproduce'],
  ['export', 'transform'],
  ['pay', 'compensate'],
]);

/** Deprecated left operands and their replacements. */
export const DEPRECATED_OPERANDS: ReadonlyMap<string, string> = new Map([
  ['device', 'systemDevice'],
  ['system', 'systemDevice'],
]);

/** Deprecated ODRL terms with no ODRL 2.2 equivalent (named so the error can say so). */
export const DEPRECATED_WITHOUT_REPLACEMENT = new Set([
  'adHocShare',
  'attachPolicy',
  'attachSource',
  'commercialize',
  'extractChar',
  'extractPage',
  'extractWord',
  'lease',
  'lend',
  'license',
  'preview',
  'proximity',
  'secondaryUse',
  'share',
  'shareAlike',
  'timedCount',
]);

/** The ODRL 2.2 action for a (possibly deprecated) action name. */
export function currentAction(name: string): string {
  return DEPRECATED_ACTIONS.get(name) ?? name;
}
