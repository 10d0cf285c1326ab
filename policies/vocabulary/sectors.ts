// Sectors and sector roles of the Shuyu data spaces. A SectorCredential names one sector and the
// member's roles in it; `isA` walks the sector tree (health-insurance isA medical).

import { childrenOf, type HierarchyDefinition } from './hierarchy.js';

export const SECTORS: HierarchyDefinition = {
  education: [],
  energy: [],
  finance: [],
  medical: [],
  ...childrenOf('education', [
    'basic-education',
    'higher-education',
    'vocational-education',
    'education-technology',
  ]),
  ...childrenOf('energy', ['power-grid', 'power-generation', 'ev-charging', 'energy-storage']),
  ...childrenOf('finance', ['banking', 'credit-reporting', 'insurance', 'securities', 'fintech']),
  ...childrenOf('medical', ['clinical-care', 'medical-research', 'public-health', 'health-insurance']),
};

export const SECTOR_ROLES: HierarchyDefinition = {
  'healthcare-provider': [],
  hospital: ['healthcare-provider'],
  'research-institute': [],
  'medical-research-institute': ['research-institute'],
  insurer: [],
  'commercial-insurer': ['insurer'],
  'health-insurance-centre': ['insurer'],
  'financial-institution': [],
  bank: ['financial-institution'],
  'credit-bureau': ['financial-institution'],
  fintech: ['financial-institution'],
  'energy-company': [],
  'grid-operator': ['energy-company'],
  'ev-charging-operator': ['energy-company'],
  'education-body': [],
  'education-authority': ['education-body'],
  university: ['education-body', 'research-institute'],
  school: ['education-body'],
  edtech: ['education-body'],
};
