// Data grades on one total order, the policy engine's own (policies/vocabulary/grades.ts): GB/T
// 43697-2024 general < important < core; JR/T 0197-2020 levels 1-4 lie within general (4 = general), level 5
// corresponds to important; no finance level reaches core.
import { gradeRank } from '../../../policies/vocabulary/grades.js';
import type { DataGrade } from '../credentials/vocabulary.js';

// On equal rank the national grade is reported: it names the same clearance in the broader scheme.
const NATIONAL = new Set<DataGrade>(['general', 'important', 'core']);

export function dataGradeRank(grade: DataGrade): number {
  return gradeRank(grade) as number;
}

/** Negative if a < b, positive if a > b, 0 if they are the same grade; national names win ties. */
export function compareDataGrades(a: DataGrade, b: DataGrade): number {
  const byRank = dataGradeRank(a) - dataGradeRank(b);
  if (byRank !== 0 || a === b) return byRank;
  return NATIONAL.has(a) ? 1 : NATIONAL.has(b) ? -1 : 0;
}

export function highestDataGrade(grades: readonly DataGrade[]): DataGrade | undefined {
  let highest: DataGrade | undefined;
  for (const grade of grades)
    if (highest === undefined || compareDataGrades(grade, highest) > 0) highest = grade;
  return highest;
}
