// The partial download beside the target file: `<out>.part` holds the bytes so far and
// `<out>.part.json` the validator they belong to, so a later run can ask for the rest with If-Range.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';

export interface PartMeta {
  /** The endpoint the part came from: another endpoint's bytes are never continued. */
  readonly endpoint: string;
  /** A strong ETag (a weak one cannot validate a byte range). */
  readonly etag: string;
  readonly total?: number;
  readonly contentType?: string;
}

export const isStrongEtag = (etag: string | undefined): etag is string =>
  etag !== undefined && etag.startsWith('"');

export async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

export async function readPartMeta(file: string): Promise<PartMeta | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<PartMeta>;
    return typeof value.endpoint === 'string' && isStrongEtag(value.etag) ? (value as PartMeta) : undefined;
  } catch {
    return undefined;
  }
}

/** Records the validator of a new download (or forgets it when there is none to resume with). */
export async function writePartMeta(file: string, meta: PartMeta | undefined): Promise<void> {
  if (meta) await writeFile(file, JSON.stringify(meta));
  else await rm(file, { force: true });
}

export async function removePart(part: string, metaFile: string): Promise<void> {
  await rm(part, { force: true });
  await rm(metaFile, { force: true });
}
