// Reading management API input: a JSON object body with typed fields, and list paging. Every problem
// is collected and reported at once, each with the JSON pointer of the field.

import type { Request } from 'express';
import { HttpProblem, type FieldReason } from '../http/problem.js';
import { loneSurrogateAt } from '../http/text.js';

export class Input {
  private readonly errors: FieldReason[] = [];
  private readonly body: Readonly<Record<string, unknown>>;

  constructor(req: Request) {
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      // A body-less POST is an empty object; anything else that is not an object is refused.
      this.body = {};
      if (body !== undefined && body !== null)
        this.errors.push({ pointer: '', reason: 'expected a JSON object' });
    } else {
      this.body = body as Record<string, unknown>;
    }
  }

  string(key: string): string | undefined;
  string(key: string, required: true): string;
  string(key: string, required = false): string | undefined {
    const value = this.body[key];
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string' && value.trim() !== '') {
      const at = loneSurrogateAt(value);
      if (at === -1) return value;
      this.errors.push({
        pointer: `/${key}`,
        reason: `has a lone UTF-16 surrogate at index ${at}; send well-formed Unicode text`,
      });
      return required ? '' : undefined;
    }
    this.errors.push({
      pointer: `/${key}`,
      reason: required && value === undefined ? 'is required' : 'must be a non-empty string',
    });
    return required ? '' : undefined;
  }

  object(key: string): Record<string, unknown> | undefined {
    const value = this.body[key];
    if (value === undefined) return undefined;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
    this.errors.push({ pointer: `/${key}`, reason: 'must be a JSON object' });
    return undefined;
  }

  array(key: string): unknown[] | undefined {
    const value = this.body[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value as unknown[];
    this.errors.push({ pointer: `/${key}`, reason: 'must be a JSON array' });
    return undefined;
  }

  integer(key: string): number | undefined {
    const value = this.body[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    this.errors.push({ pointer: `/${key}`, reason: 'must be a non-negative integer' });
    return undefined;
  }

  raw(key: string): unknown {
    return this.body[key];
  }

  /** Throws one 400 listing every problem found so far. */
  check(what: string): void {
    if (this.errors.length > 0) {
      throw new HttpProblem(400, 'invalid-body', `the ${what} is not valid; see errors`, this.errors);
    }
  }
}

export interface ListQuery {
  readonly limit?: number;
  readonly offset?: number;
}

/** `?limit=&offset=` as integers (the stores check the ranges). */
export function listQuery(req: Request): ListQuery {
  const out: { limit?: number; offset?: number } = {};
  for (const name of ['limit', 'offset'] as const) {
    const raw = req.query[name];
    if (raw === undefined) continue;
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
      throw new HttpProblem(400, 'invalid-query', `${name} must be a non-negative integer`, [
        { pointer: name, reason: `found ${JSON.stringify(raw)}` },
      ]);
    }
    out[name] = Number(raw);
  }
  return out;
}

/** A comma-separated query value (`?state=STARTED,SUSPENDED`) checked against `allowed`. */
export function listParam<T extends string>(
  req: Request,
  name: string,
  allowed: readonly T[],
): T[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const values = String(raw)
    .split(',')
    .map((v) => v.trim());
  const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length > 0) {
    throw new HttpProblem(400, 'invalid-query', `${name} must be among ${allowed.join(', ')}`, [
      { pointer: name, reason: `unknown ${bad.join(', ')}` },
    ]);
  }
  return values as T[];
}

/** A query parameter given at most once and not empty, or undefined when absent. */
export function optionalQuery(req: Request, name: string): string | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') {
    throw new HttpProblem(400, 'invalid-query', `${name} must be a non-empty string`, [
      { pointer: name, reason: 'expected one value' },
    ]);
  }
  return raw;
}

/** A path parameter (express 5 may give an array for wildcards). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value ?? '');
}
