// A product description (数据产品说明书) for the tests, and a provider with two published datasets.
import type {
  ControlPlaneConnector,
  ControlPlaneConnectorOptions,
} from '../../connector/process/run-connector.js';
import { hospitalApplication, type LocalDataSpace } from '../authority/helpers.js';
import { assetInput, medicalContract, MEMBERS_ACCESS, publish, startMember } from '../dsp/helpers.js';

export const VISITS = 'urn:dataset:visits';
export const DIAGNOSES = 'urn:dataset:diagnoses';

export function productDescription(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: { zh: '门诊就诊统计', en: 'Outpatient visit statistics' },
    dataSource: { zh: '医院信息系统，匿名化处理', en: 'Hospital information system, anonymised' },
    scope: { zh: '北京，2020年起，按月', en: 'Beijing, since 2020, monthly' },
    updateFrequency: 'monthly',
    dataGrade: 'general',
    complianceAssessment: {
      summary: { zh: '已完成个人信息保护影响评估', en: 'Personal information impact assessment completed' },
      assessor: 'Beijing Data Compliance Ltd.',
      date: '2026-01-15',
    },
    datasetIds: [VISITS],
    ...overrides,
  };
}

/** The hospital, a member, publishing two datasets to members. */
export async function startProvider(
  space: LocalDataSpace,
  options: Partial<ControlPlaneConnectorOptions> = {},
): Promise<ControlPlaneConnector> {
  const provider = await startMember(space, 'hospital', hospitalApplication(), options);
  await publish(
    provider,
    [assetInput(VISITS, 'Beijing Research Hospital'), assetInput(DIAGNOSES, 'Beijing Research Hospital')],
    [
      {
        id: 'members',
        assetSelector: {},
        accessPolicy: MEMBERS_ACCESS,
        contractPolicy: medicalContract(),
      },
    ],
  );
  return provider;
}
