// readRequestValues (the hot path's one-pass reader) must agree with every operand's own reader.
import { expect } from 'chai';
import { OPERANDS } from '../../policies/index.js';
import { readRequestValues } from '../../policies/operands/registry.js';
import type { EvaluationRequest } from '../../policies/index.js';

describe('policies/operands: the one-pass request reader', () => {
  it('reads every operand at its index, as the operand itself does', () => {
    const request = {
      action: 'use',
      time: 't',
      elapsedTime: 'e',
      meteredTime: 'm',
      count: 'c',
      purpose: 'pu',
      spatial: 'sp',
      recipient: 're',
      industry: 'in',
      payAmount: { amount: 'pa', unit: 'CNY' },
      fileFormat: 'ff',
      language: 'la',
      deliveryChannel: 'dc',
      virtualLocation: 'vl',
      systemDevice: 'sd',
      product: 'pr',
      version: 've',
      percentage: 'pe',
      claims: {
        credentialTypes: 'ct',
        dataSpace: 'ds',
        memberRole: 'mr',
        registrationNumber: 'rn',
        sectors: 'se',
        sectorRoles: 'sr',
        dataGradeClearance: 'dg',
      },
      asset: { dataGrade: 'ag' },
    } as unknown as EvaluationRequest;
    const into: unknown[] = [];
    readRequestValues(request, into);
    expect(into).to.have.length(OPERANDS.size);
    for (const operand of OPERANDS.values())
      expect(into[operand.index], operand.name).to.equal(operand.read(request));
    expect(new Set(into).size).to.equal(OPERANDS.size);
  });
});
