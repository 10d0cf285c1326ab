import { readFileSync } from 'node:fs';
import { compilePolicySync } from './policies/index.js';
const p = compilePolicySync(JSON.parse(readFileSync('policies/templates/medical.json', 'utf8'))).policy;
const request = {
  action: 'use',
  assignee: 'did:web:bj',
  time: Date.parse('2026-11-26T10:00:00+08:00'),
  purpose: 'clinical-research',
  spatial: 'CN-BJ',
  elapsedTime: 12 * 86400,
  claims: {
    credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
    sectors: ['medical'],
    sectorRoles: ['hospital'],
    dataGradeClearance: 'important',
  },
};
let n = 0;
const t = Date.now();
while (Date.now() - t < 4000) {
  for (let i = 0; i < 1000; i++) if (p.evaluate(request).permitted) n++;
}
console.log(n / 4);
