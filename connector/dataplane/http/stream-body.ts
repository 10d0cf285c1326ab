// Streams a body into a response or request with backpressure and reports how it ended, telling a
// client that went away (aborted) from a source that failed.
import type { Writable, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StreamOutcome {
  readonly outcome: 'served' | 'aborted' | 'failed';
  readonly bytes: number;
  readonly error?: unknown;
}

/** `expected`: the body's length when known (Content-Length), to recognise a completed transfer. */
export async function streamBody(
  source: Readable,
  target: Writable,
  expected?: number,
): Promise<StreamOutcome> {
  let bytes = 0;
  const done = pipeline(source, target);
  // Attached after pipeline() has piped the source, so no chunk is emitted before the pipe sees it.
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    await done;
    return { outcome: 'served', bytes };
  } catch (error) {
    // A premature close is the other side going away; any other error came from the source. A
    // client may close as soon as it has the last byte (Content-Length), before the source has
    // even noticed its own end: that transfer is complete.
    const premature = (error as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    const complete = expected !== undefined ? bytes >= expected : target.writableEnded;
    if (premature && complete) return { outcome: 'served', bytes };
    return { outcome: premature ? 'aborted' : 'failed', bytes, error };
  }
}
