// A logger whose lines tests read back: JSON objects, in order, from an in-process stream.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../connector/logging/index.js';

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
}

export function captureLogger(level: 'info' | 'debug' = 'info'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) if (part !== '') lines.push(JSON.parse(part) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
