// Purposes of use: a small taxonomy for the sector data spaces, modelled on the W3C Data Privacy
// Vocabulary's purpose tree (research and development, service provision, fraud prevention, ...)
// with the purposes Chinese sector data spaces name. `isA` walks it: medical-research isA
// scientific-research. Plain identifiers; a deployment can extend or replace it.

import type { HierarchyDefinition } from './hierarchy.js';

export const PURPOSES: HierarchyDefinition = {
  'research-and-development': [],
  'scientific-research': ['research-and-development'],
  'academic-research': ['scientific-research'],
  'medical-research': ['scientific-research'],
  'clinical-research': ['medical-research'],
  'epidemiological-research': ['medical-research'],
  'drug-development': ['medical-research', 'commercial-research'],
  'commercial-research': ['research-and-development'],
  'product-development': ['commercial-research'],
  'public-interest': [],
  'public-health': ['public-interest'],
  'public-administration': ['public-interest'],
  'policy-making': ['public-administration'],
  'education-statistics': ['public-administration'],
  'service-provision': [],
  'healthcare-delivery': ['service-provision'],
  'insurance-claims-settlement': ['service-provision'],
  'teaching-improvement': ['service-provision'],
  'educational-assessment': ['teaching-improvement'],
  'personalised-learning': ['teaching-improvement'],
  'grid-operation': ['service-provision'],
  'load-forecasting': ['grid-operation'],
  'demand-response': ['grid-operation'],
  'charging-network-planning': ['service-provision'],
  'risk-control': [],
  'credit-risk-assessment': ['risk-control'],
  'fraud-detection': ['risk-control'],
  'anti-money-laundering': ['risk-control'],
  'regulatory-compliance': ['risk-control'],
  marketing: [],
  'targeted-advertising': ['marketing'],
};
