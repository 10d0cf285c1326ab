// The access policies seed offers use: who may SEE an offer in the catalog (action read). The contract
// policies (who may USE the data, for what) come from policies/templates/.

const ODRL = 'http://www.w3.org/ns/odrl.jsonld';

function readIf(uid: string, constraint: object[]): object {
  return { '@context': ODRL, '@type': 'Set', uid, permission: [{ action: 'read', constraint }] };
}

const member = {
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: 'MembershipCredential',
};

export type AccessRule =
  | { kind: 'data-space-members' }
  | { kind: 'sector-members'; sector: string }
  | { kind: 'sector-roles'; sector: string; roles: string[] };

export function accessPolicy(rule: AccessRule, uidBase: string): object {
  switch (rule.kind) {
    case 'data-space-members':
      return readIf(`${uidBase}:access:members`, [member]);
    case 'sector-members':
      return readIf(`${uidBase}:access:${rule.sector}`, [
        member,
        { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: rule.sector },
      ]);
    case 'sector-roles':
      return readIf(`${uidBase}:access:${rule.sector}-${rule.roles.join('-')}`, [
        member,
        { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: rule.sector },
        { leftOperand: 'shuyu:sectorRole', operator: 'isAnyOf', rightOperand: rule.roles },
      ]);
  }
}
