// The management API key: generated on the connector's first start into <dataDir>/management-api-key
// (owner-only), read on every later start. Requests present it as `Authorization: Bearer <key>`.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { HttpProblem } from '../http/problem.js';

export const MANAGEMENT_API_KEY_FILE = 'management-api-key';

/** The key in `dataDir`, created (32 random bytes, base64url, mode 0600) if there is none yet. */
export function ensureManagementApiKey(dataDir: string): string {
  const file = join(dataDir, MANAGEMENT_API_KEY_FILE);
  if (!existsSync(file)) {
    try {
      // 'wx': two processes starting on one directory cannot overwrite each other's key.
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) {
    throw new Error(`${file} holds no usable key (at least 16 characters); delete it to generate a new one`);
  }
  return key;
}

/** Refuses requests without the key (401); compares digests in constant time. */
export function requireApiKey(key: string): RequestHandler {
  const expected = digest(key);
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="shuyu-management"');
    next(
      new HttpProblem(
        401,
        'management-key-required',
        `send the management API key as "Authorization: Bearer <key>"; it is in <data dir>/${MANAGEMENT_API_KEY_FILE}`,
      ),
    );
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
