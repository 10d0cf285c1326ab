// JSON Schema of the canonical policy shape (after jsonld/canonicalize.ts), compiled once with ajv.
// It checks the shape; model/build.ts checks the meaning (known operands, types, operators).

import { Ajv, type ErrorObject } from 'ajv';

const iri = { type: 'string', minLength: 1 };
const constraintList = { type: 'array', items: { $ref: '#/definitions/constraint' } };

export const POLICY_SCHEMA = {
  $id: 'https://w3id.org/shuyu/v1/schemas/odrl-policy.json',
  type: 'object',
  properties: {
    uid: iri,
    type: { anyOf: [iri, { type: 'array', items: iri }] },
    profile: { type: 'array', items: iri },
    inheritFrom: { type: 'array', items: iri },
    conflict: iri,
    assigner: { type: 'array', items: { $ref: '#/definitions/entity' } },
    assignee: { type: 'array', items: { $ref: '#/definitions/entity' } },
    target: { type: 'array', items: { $ref: '#/definitions/entity' } },
    action: { type: 'array', items: { $ref: '#/definitions/action' } },
    permission: { type: 'array', items: { $ref: '#/definitions/rule' } },
    prohibition: { type: 'array', items: { $ref: '#/definitions/rule' } },
    obligation: { type: 'array', items: { $ref: '#/definitions/rule' } },
  },
  anyOf: [
    { required: ['permission'], properties: { permission: { minItems: 1 } } },
    { required: ['prohibition'], properties: { prohibition: { minItems: 1 } } },
    { required: ['obligation'], properties: { obligation: { minItems: 1 } } },
  ],
  definitions: {
    entity: {
      anyOf: [
        iri,
        {
          type: 'object',
          properties: {
            uid: iri,
            type: { anyOf: [iri, { type: 'array', items: iri }] },
            source: iri,
            partOf: { type: 'array', items: iri },
            refinement: constraintList,
          },
        },
      ],
    },
    action: {
      anyOf: [
        iri,
        {
          type: 'object',
          required: ['value'],
          properties: { value: iri, refinement: constraintList },
        },
      ],
    },
    rule: {
      type: 'object',
      properties: {
        uid: iri,
        action: { type: 'array', items: { $ref: '#/definitions/action' }, minItems: 1 },
        target: { type: 'array', items: { $ref: '#/definitions/entity' } },
        assigner: { type: 'array', items: { $ref: '#/definitions/entity' } },
        assignee: { type: 'array', items: { $ref: '#/definitions/entity' } },
        constraint: constraintList,
        duty: { type: 'array', items: { $ref: '#/definitions/rule' } },
        remedy: { type: 'array', items: { $ref: '#/definitions/rule' } },
        consequence: { type: 'array', items: { $ref: '#/definitions/rule' } },
      },
    },
    constraint: {
      type: 'object',
      anyOf: [
        { required: ['leftOperand', 'operator', 'rightOperand'] },
        { required: ['leftOperand', 'operator', 'rightOperandReference'] },
        { required: ['and'] },
        { required: ['or'] },
        { required: ['xone'] },
        { required: ['andSequence'] },
      ],
      properties: {
        uid: iri,
        leftOperand: iri,
        operator: iri,
        rightOperand: {},
        rightOperandReference: iri,
        dataType: iri,
        unit: {},
        status: {},
        and: { ...constraintList, minItems: 1 },
        or: { ...constraintList, minItems: 1 },
        xone: { ...constraintList, minItems: 1 },
        andSequence: { ...constraintList, minItems: 1 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(POLICY_SCHEMA);

/** Validates a canonical policy; returns ajv's errors (empty when valid). */
export function validateShape(doc: unknown): ErrorObject[] {
  if (validate(doc)) return [];
  const errors = validate.errors ?? [];
  // An anyOf failure also reports each branch's failure; the anyOf alone says it best.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  return errors.filter(
    (e) =>
      !anyOfs.some(
        (a) =>
          a !== e && e.schemaPath.startsWith(a.schemaPath + '/') && e.instancePath.startsWith(a.instancePath),
      ),
  );
}

/** One readable sentence for an ajv error about the canonical shape. */
export function shapeMessage(e: ErrorObject): string {
  switch (e.keyword) {
    case 'anyOf':
      if (e.instancePath === '') return 'a policy needs at least one permission, prohibition or obligation';
      if (/\/(constraint|refinement|and|or|xone|andSequence)\/\d+$/.test(e.instancePath)) {
        return 'a constraint needs leftOperand, operator and rightOperand (or rightOperandReference), or one of and / or / xone / andSequence';
      }
      return 'the value has none of the accepted forms';
    case 'required':
      return `"${String((e.params as { missingProperty?: string }).missingProperty)}" is required here`;
    case 'minItems':
      return 'the list must not be empty';
    case 'type':
      return `expected ${String((e.params as { type?: string }).type)}`;
    default:
      return e.message ?? 'invalid';
  }
}
