// Data-product registration (数据产品登记): the product description (数据产品说明书) a provider submits, the
// record the authority keeps while it is reviewed, and what registration adds (the unified product identifier
// and the DataProductRegistration credential). Plain JSON, as the API returns it.

/** Text in Chinese and English; both are required (the description is published in both). */
export interface BilingualText {
  zh: string;
  en: string;
}

/** Grades of GB/T 43697-2024 (the national scheme; finance's JR/T levels map into these). */
export const PRODUCT_GRADES = ['general', 'important', 'core'] as const;
export type ProductGrade = (typeof PRODUCT_GRADES)[number];

export const UPDATE_FREQUENCIES = [
  'realtime',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
  'irregular',
  'static',
] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];

export interface ComplianceAssessment {
  summary: BilingualText;
  /** Who assessed it (a firm, a department, a person). */
  assessor: string;
  /** The date of the assessment report, YYYY-MM-DD. */
  date: string;
}

/** The 数据产品说明书 as the provider writes it (the authority adds the provider from its member record). */
export interface ProductDescription {
  name: BilingualText;
  /** Where the data comes from (数据来源). */
  dataSource: BilingualText;
  /** What it covers: population, region, period (适用范围). */
  scope: BilingualText;
  updateFrequency: UpdateFrequency;
  dataGrade: ProductGrade;
  complianceAssessment: ComplianceAssessment;
  /** The provider's DSP dataset ids (absolute IRIs) the product consists of. */
  datasetIds: string[];
  /** The provider connector's DSP endpoint, where the datasets are offered. */
  dspEndpoint: string;
}

/** Who provides the product, from the authority's member record (never from the applicant's say-so). */
export interface ProductProvider {
  did: string;
  organisationName: string;
  /** Unified social credit code (or the member's other registration number). */
  registrationNumber: string;
}

export type ProductState = 'pending' | 'registered' | 'rejected';
export const PRODUCT_STATES: readonly ProductState[] = ['pending', 'registered', 'rejected'];

export interface ProductRecord {
  /** The application's id (urn:uuid); the product identifier comes with registration. */
  id: string;
  state: ProductState;
  provider: ProductProvider;
  description: ProductDescription;
  submittedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  /** The reviewer's reason for a rejection, or note on registration. */
  decisionNote?: string;
  /** The unified product identifier, e.g. SY-DS-2026-000001-3 (identifier.ts). */
  productId?: string;
  /** The DataProductRegistration credential's id (urn:uuid). */
  credentialId?: string;
  /** The DataProductRegistration credential (vc+jwt). */
  credential?: string;
}
