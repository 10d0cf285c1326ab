// Data grades on one total order. GB/T 43697-2024 grades data as general < important < core. The
// finance sector's JR/T 0197-2020 levels 1..5 are placed on the same scale: levels 1-4 lie within
// "general" (4 is its top, so general clearance covers them), level 5 corresponds to "important".
// No finance level reaches "core": core data is designated by the state, not by a sector standard.

const RANKS: Readonly<Record<string, number>> = {
  'JR-L1': 1,
  'JR-L2': 2,
  'JR-L3': 3,
  'JR-L4': 4,
  general: 4,
  'JR-L5': 5,
  important: 5,
  core: 6,
};

export const GRADES = Object.keys(RANKS);

export function gradeRank(id: string): number | undefined {
  return RANKS[id];
}
