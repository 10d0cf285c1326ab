// Validation of product descriptions, compiled once (ajv): every problem at once, each named by a JSON
// pointer, in the same problem+json shape as membership applications (../validate.ts).
import { Ajv } from 'ajv';
import { HttpProblem, type FieldReason } from '../../../connector/http/problem.js';
import { fieldReasons } from '../validate.js';
import { PRODUCT_GRADES, UPDATE_FREQUENCIES, type ProductDescription } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: true, logger: false });

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });
const bilingual = (max: number) => ({
  type: 'object',
  additionalProperties: false,
  required: ['zh', 'en'],
  properties: { zh: text(max), en: text(max) },
});

const validateDescription = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'dataSource',
    'scope',
    'updateFrequency',
    'dataGrade',
    'complianceAssessment',
    'datasetIds',
    'dspEndpoint',
  ],
  properties: {
    name: bilingual(200),
    dataSource: bilingual(2000),
    scope: bilingual(2000),
    updateFrequency: { enum: [...UPDATE_FREQUENCIES] },
    dataGrade: { enum: [...PRODUCT_GRADES] },
    complianceAssessment: {
      type: 'object',
      additionalProperties: false,
      required: ['summary', 'assessor', 'date'],
      properties: {
        summary: bilingual(4000),
        assessor: text(200),
        date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
      },
    },
    datasetIds: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', maxLength: 2048, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:\\S+$' },
    },
    dspEndpoint: { type: 'string', maxLength: 2048, pattern: '^https?://\\S+$' },
  },
});

const PATTERN_REASONS: readonly [RegExp, string][] = [
  [/\/complianceAssessment\/date$/, 'must be a date YYYY-MM-DD'],
  [/\/datasetIds\/\d+$/, 'must be an absolute IRI (the DSP dataset id)'],
  [/\/dspEndpoint$/, 'must be an http(s) URL'],
];

function validDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

/** The description, or a 400 problem listing every field that is wrong (nothing is stored). */
export function parseProductDescription(body: unknown, now: Date): ProductDescription {
  if (!validateDescription(body)) {
    throw invalidDescription(
      fieldReasons(validateDescription.errors).map((e) => {
        const special = PATTERN_REASONS.find(([pointer]) => pointer.test(e.pointer));
        return special && e.reason === 'must not be blank' ? { ...e, reason: special[1] } : e;
      }),
    );
  }
  const description = body as unknown as ProductDescription;
  const date = description.complianceAssessment.date;
  if (!validDate(date)) {
    throw invalidDescription([{ pointer: '/complianceAssessment/date', reason: 'is not a calendar date' }]);
  }
  if (date > now.toISOString().slice(0, 10)) {
    throw invalidDescription([
      { pointer: '/complianceAssessment/date', reason: 'lies in the future: assess before registering' },
    ]);
  }
  return description;
}

function invalidDescription(errors: FieldReason[]): HttpProblem {
  return new HttpProblem(
    400,
    'invalid-body',
    'The product description is not valid; fix the fields listed in "errors".',
    errors,
  );
}
