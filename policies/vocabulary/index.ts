// The vocabularies the engine is given. Defaults ship with Shuyu; a deployment may pass its own.

import { ACTIONS } from './actions.js';
import { Hierarchy, type HierarchyDefinition } from './hierarchy.js';
import { PURPOSES } from './purposes.js';
import { REGIONS } from './regions.js';
import { SECTOR_ROLES, SECTORS } from './sectors.js';

export interface VocabularyDefinitions {
  readonly actions: HierarchyDefinition;
  readonly purposes: HierarchyDefinition;
  readonly regions: HierarchyDefinition;
  readonly sectors: HierarchyDefinition;
  readonly sectorRoles: HierarchyDefinition;
}

export type Vocabularies = { readonly [K in keyof VocabularyDefinitions]: Hierarchy };

export const DEFAULT_VOCABULARY_DEFINITIONS: VocabularyDefinitions = {
  actions: ACTIONS,
  purposes: PURPOSES,
  regions: REGIONS,
  sectors: SECTORS,
  sectorRoles: SECTOR_ROLES,
};

/** Compiles vocabulary definitions; missing ones fall back to the defaults. */
export function compileVocabularies(definitions: Partial<VocabularyDefinitions> = {}): Vocabularies {
  const d = { ...DEFAULT_VOCABULARY_DEFINITIONS, ...definitions };
  return {
    actions: new Hierarchy('actions', d.actions),
    purposes: new Hierarchy('purposes', d.purposes),
    regions: new Hierarchy('regions', d.regions),
    sectors: new Hierarchy('sectors', d.sectors),
    sectorRoles: new Hierarchy('sectorRoles', d.sectorRoles),
  };
}

let defaults: Vocabularies | undefined;

/** The default vocabularies, compiled once. */
export function defaultVocabularies(): Vocabularies {
  return (defaults ??= compileVocabularies());
}

export { Hierarchy };
