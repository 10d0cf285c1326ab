// The consumer side of a pull: stream the data into `<out>.part`, report progress, and after an
// interruption continue where it stopped with `Range: bytes=<have>-` and `If-Range: <etag>`. The
// ETag is kept beside the part file (`<out>.part.json`), so a later run resumes too; when the data
// changed meanwhile (the server answers 200, or another ETag) the part is discarded and the download
// restarts. The finished file is renamed into place only when its size matches.
import { createWriteStream } from 'node:fs';
import { rename, rm, truncate } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isIdentityError } from '../../identity/errors.js';
import { assertFetchAllowed, type HostPolicy } from '../../identity/net/host-policy.js';
import { DataPlaneError, describeError } from '../errors.js';
import { discard, sendRequest, sharedAgents } from '../net/request.js';
import { parseContentRange } from '../range.js';
import { usageLeftFromHeaders, type UsageLeft } from '../usage/left.js';
import { isStrongEtag, readPartMeta, removePart, sizeOf, writePartMeta, type PartMeta } from './part-file.js';

export interface FetchProgress {
  /** Bytes in the file so far (a resumed part included). */
  readonly bytes: number;
  readonly total?: number;
  /** Bytes per second during the current attempt. */
  readonly rate: number;
  readonly done: boolean;
}

export interface FetchTransferOptions {
  /** The EDR's endpoint. */
  readonly endpoint: string;
  /** The EDR's authorization (a bare token is sent as "Bearer <token>"). */
  readonly authorization: string;
  readonly outFile: string;
  readonly onProgress?: (progress: FetchProgress) => void;
  /** Least time between two progress reports (default 100 ms; the last one always comes). */
  readonly progressIntervalMs?: number;
  /** Hosts the consumer may fetch from; without it any https host (and http on loopback) is allowed. */
  readonly hostPolicy?: HostPolicy;
  /** Allow endpoints on loopback or private addresses (local data spaces, tests). */
  readonly allowPrivateAddresses?: boolean;
  /** Attempts in total, resumes included (default 5). */
  readonly maxAttempts?: number;
  /** First wait between attempts, doubled each time up to 5 s (default 250 ms). */
  readonly retryDelayMs?: number;
  /** Idle timeout per attempt (default 30 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** What the provider says is left (Shuyu-Uses-Remaining, Shuyu-Use-Until), from every answer that says it. */
  readonly onUsageLeft?: (left: UsageLeft) => void;
}

export interface FetchResult {
  readonly file: string;
  readonly bytes: number;
  readonly contentType?: string;
  readonly etag?: string;
  readonly attempts: number;
  /** Attempts that continued a partial file with Range. */
  readonly resumes: number;
  /** Times a partial file was dropped because the data had changed. */
  readonly restarts: number;
}

/** A failure another attempt may get past (network, 5xx, an incomplete body). */
class Retryable extends Error {}

async function problemDetail(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    text += String(chunk);
    if (text.length > 16_384) break;
  }
  try {
    const body = JSON.parse(text) as { detail?: unknown };
    return typeof body.detail === 'string' ? body.detail : '';
  } catch {
    return '';
  }
}

function checkEndpoint(options: FetchTransferOptions): URL {
  const policy: HostPolicy = options.hostPolicy ?? { allow: '*', allowHttpForLoopback: true };
  try {
    return assertFetchAllowed(policy, options.endpoint, 'The transfer endpoint');
  } catch (error) {
    if (!isIdentityError(error)) throw error;
    throw new DataPlaneError('ERR_FETCH_REFUSED', error.message, { details: { reason: error.code } });
  }
}

export async function fetchTransfer(options: FetchTransferOptions): Promise<FetchResult> {
  const url = checkEndpoint(options);
  const part = `${options.outFile}.part`;
  const metaFile = `${part}.json`;
  const authorization = /^\S+ /.test(options.authorization)
    ? options.authorization
    : `Bearer ${options.authorization}`;
  const allowPrivate = options.allowPrivateAddresses === true;
  const maxAttempts = options.maxAttempts ?? 5;
  let delay = options.retryDelayMs ?? 250;
  let resumes = 0;
  let restarts = 0;

  for (let attempt = 1; ; attempt++) {
    let have = await sizeOf(part);
    const meta = await readPartMeta(metaFile);
    const resumable = have > 0 && meta?.endpoint === options.endpoint && isStrongEtag(meta.etag);
    if (have > 0 && !resumable) {
      await truncate(part, 0);
      have = 0;
    }
    try {
      const response = await sendRequest({
        url,
        method: 'GET',
        headers: {
          authorization,
          accept: '*/*',
          'accept-encoding': 'identity',
          ...(resumable ? { range: `bytes=${have}-`, 'if-range': meta.etag } : {}),
        },
        agents: sharedAgents(allowPrivate, 'ERR_FETCH_REFUSED'),
        guard: { allowPrivateAddresses: allowPrivate },
        refusalCode: 'ERR_FETCH_REFUSED',
        failureCode: 'ERR_FETCH_FAILED',
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      }).catch((error: unknown) => {
        throw isRefusal(error) ? error : new Retryable(describeError(error), { cause: error });
      });
      const status = response.statusCode ?? 0;
      const etag = response.headers.etag;
      const left = usageLeftFromHeaders((name) => response.headers[name]);
      if (left !== undefined) options.onUsageLeft?.(left);

      if (status === 416 && resumable) {
        discard(response);
        const size = parseContentRange(response.headers['content-range'])?.size;
        if (size === have && (meta.total === undefined || meta.total === have)) {
          return finish(options, part, metaFile, {
            bytes: have,
            rate: 0,
            meta,
            attempts: attempt,
            resumes,
            restarts,
          });
        }
        await removePart(part, metaFile);
        restarts++;
        attempt--; // not a failure: the next request simply starts over
        continue;
      }
      if (status === 206 && resumable) {
        const range = parseContentRange(response.headers['content-range']);
        if (range?.range?.start !== have || etag !== meta.etag) {
          discard(response);
          await removePart(part, metaFile);
          restarts++;
          attempt--;
          continue;
        }
        resumes++;
        const total = range.size;
        const rate = await receive(response, part, 'a', have, total, options);
        return finish(options, part, metaFile, {
          bytes: await complete(part, total),
          rate,
          meta,
          attempts: attempt,
          resumes,
          restarts,
        });
      }
      if (status === 200) {
        if (resumable) restarts++;
        const length = Number(response.headers['content-length']);
        const total = Number.isSafeInteger(length) ? length : undefined;
        const contentType = response.headers['content-type'];
        const next: PartMeta | undefined = isStrongEtag(etag)
          ? {
              endpoint: options.endpoint,
              etag,
              ...(total !== undefined ? { total } : {}),
              ...(contentType !== undefined ? { contentType } : {}),
            }
          : undefined;
        await writePartMeta(metaFile, next);
        const rate = await receive(response, part, 'w', 0, total, options);
        return finish(options, part, metaFile, {
          bytes: await complete(part, total),
          rate,
          ...(next ? { meta: next } : contentType !== undefined ? { contentType } : {}),
          attempts: attempt,
          resumes,
          restarts,
        });
      }
      if (status >= 500 || status === 429 || status === 408) {
        discard(response);
        throw new Retryable(`the provider answered ${status}`);
      }
      const detail = await problemDetail(response);
      throw new DataPlaneError(
        'ERR_FETCH_REFUSED',
        `The provider refused the download (${status})${detail ? `: ${detail}` : ''}.`,
        { details: { status } },
      );
    } catch (error) {
      if (!(error instanceof Retryable)) throw error;
      if (attempt >= maxAttempts || options.signal?.aborted) {
        throw new DataPlaneError(
          'ERR_FETCH_FAILED',
          `The download failed after ${attempt} attempt(s): ${error.message}. Run it again to resume from ${part}.`,
          { details: { attempts: attempt }, cause: error.cause ?? error },
        );
      }
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof DataPlaneError && error.code === 'ERR_FETCH_REFUSED';
}

/** Streams the body into the part file, reporting progress; resolves with the rate (bytes/s). */
async function receive(
  response: IncomingMessage,
  part: string,
  flags: 'a' | 'w',
  offset: number,
  total: number | undefined,
  options: FetchTransferOptions,
): Promise<number> {
  const started = Date.now();
  const interval = options.progressIntervalMs ?? 100;
  let received = 0;
  let reported = 0;
  const rate = (): number => received / Math.max((Date.now() - started) / 1000, 1e-3);
  const report = (): void => {
    options.onProgress?.({
      bytes: offset + received,
      ...(total !== undefined ? { total } : {}),
      rate: rate(),
      done: false,
    });
  };
  const done = pipeline(response, createWriteStream(part, { flags }));
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const now = Date.now();
    if (now - reported >= interval) {
      reported = now;
      report();
    }
  });
  try {
    await done;
  } catch (error) {
    throw new Retryable(`the connection broke after ${offset + received} bytes (${describeError(error)})`, {
      cause: error,
    });
  }
  return rate();
}

async function complete(part: string, total: number | undefined): Promise<number> {
  const size = await sizeOf(part);
  if (total !== undefined && size !== total) {
    throw new Retryable(`the body ended after ${size} of ${total} bytes`);
  }
  return size;
}

async function finish(
  options: FetchTransferOptions,
  part: string,
  metaFile: string,
  state: {
    bytes: number;
    rate: number;
    meta?: PartMeta;
    contentType?: string;
    attempts: number;
    resumes: number;
    restarts: number;
  },
): Promise<FetchResult> {
  await rename(part, options.outFile);
  await rm(metaFile, { force: true });
  options.onProgress?.({ bytes: state.bytes, total: state.bytes, rate: state.rate, done: true });
  const contentType = state.meta?.contentType ?? state.contentType;
  return {
    file: options.outFile,
    bytes: state.bytes,
    ...(contentType !== undefined ? { contentType } : {}),
    ...(state.meta ? { etag: state.meta.etag } : {}),
    attempts: state.attempts,
    resumes: state.resumes,
    restarts: state.restarts,
  };
}
