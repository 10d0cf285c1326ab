// `{ kind: 'file', path, contentType? }`: a file confined to the configured base directories. The
// path is checked when the address is read: lexically (no `..`, not even percent-encoded, no absolute
// path outside a base) and, when the file exists, after following symbolic links (realpath), so an asset
// whose link leads out is refused at registration. It is checked again when opened (realpath, then open
// with O_NOFOLLOW), because a link may be swapped in after registration.
import { close, constants, createReadStream, fstat, open, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DataPlaneError } from '../errors.js';
import { resolveRange, type RequestedRange } from '../range.js';
import { contentTypeForPath, contentTypeOf, requiredString } from './fields.js';
import type { DataAddressLike, DataSource, OpenedData, SourceFactory } from './types.js';

export interface FileSourceConfig {
  /** Directories file assets may live in; a path must resolve (links followed) inside one of them. */
  readonly baseDirectories: readonly string[];
  /** Read chunk size (default 64 KiB). */
  readonly highWaterMark?: number;
}

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/** `bases`, when known, are named: the operator learns where to put the file (relative paths start at the first). */
function refused(reason: string, path: string, bases?: readonly string[]): DataPlaneError {
  const named =
    bases === undefined || bases.length === 0
      ? ''
      : `: ${bases.join(', ')}${bases.length > 1 ? '; a relative path starts at the first' : ''}`;
  return new DataPlaneError(
    'ERR_SOURCE_PATH_REFUSED',
    `The file path ${JSON.stringify(path.slice(0, 300))} ${reason}; file assets must lie inside the configured ` +
      `base directories (dataplane.file.baseDirectories${named}): fix the asset or the configuration.`,
  );
}

function isInside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The path as written and percent-decoded up to three times (double encoding). */
function spellings(path: string): string[] {
  const out = [path];
  let current = path;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      break;
    }
    if (decoded === current) break;
    out.push(decoded);
    current = decoded;
  }
  return out;
}

function checkLexically(raw: string, bases: readonly string[]): string {
  for (const spelling of spellings(raw)) {
    if (spelling.includes('\0')) throw refused('contains a NUL character', raw, bases);
    // Backslashes count as separators too, so a path written for another OS cannot sneak `..` in.
    if (spelling.split(/[\\/]+/).includes('..')) throw refused('contains a ".." segment', raw, bases);
  }
  const first = bases[0];
  if (first === undefined) throw refused('cannot be served: no base directory is configured', raw);
  const candidate = isAbsolute(raw) ? resolve(raw) : resolve(first, raw);
  if (!bases.some((base) => isInside(base, candidate))) {
    throw refused('is outside the configured directories', raw, bases);
  }
  return candidate;
}

/** realpath, or undefined when the path does not exist (yet): a file may be put in place after registration. */
function realPathOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Refuses a path that exists and resolves, through symbolic links, outside every (real) base. */
function checkLinks(candidate: string, raw: string, bases: readonly string[]): void {
  const real = realPathOf(candidate);
  if (real === undefined) return;
  const realBases = bases.map((base) => realPathOf(base) ?? base);
  if (!realBases.some((base) => isInside(base, real))) {
    throw refused('resolves (through a symbolic link) outside the configured directories', raw, bases);
  }
}

function fileEtag(stat: { ino: number; size: number; mtimeMs: number }): string {
  return `"${stat.ino.toString(16)}-${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
}

class FileSource implements DataSource {
  readonly kind = 'file';

  constructor(
    private readonly path: string,
    private readonly contentType: string,
    private readonly realBases: () => Promise<readonly string[]>,
    private readonly highWaterMark: number,
  ) {}

  describe(): string {
    return `file ${this.path}`;
  }

  async open(range?: RequestedRange): Promise<OpenedData> {
    let real: string;
    try {
      real = await realpath(this.path);
    } catch (error) {
      throw this.openFailure(error);
    }
    const bases = await this.realBases();
    if (!bases.some((base) => isInside(base, real))) {
      throw refused('resolves (through a symbolic link) outside the configured directories', this.path);
    }
    // A plain descriptor, not a FileHandle: its stream reads with fs.read callbacks, where a
    // FileHandle stream pays promises per chunk (a few per cent of throughput; docs/performance.md).
    let fd: number;
    try {
      fd = await openFd(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      throw this.openFailure(error);
    }
    try {
      const stat = await fstatFd(fd);
      if (!stat.isFile()) {
        throw new DataPlaneError(
          'ERR_SOURCE_NOT_FOUND',
          `${this.describe()} is not a regular file; fix the asset.`,
        );
      }
      const served = range === undefined ? undefined : resolveRange(range, stat.size);
      if (served === 'unsatisfiable') {
        throw new DataPlaneError(
          'ERR_RANGE_NOT_SATISFIABLE',
          `The range starts past the end of the data (${stat.size} bytes); ask for bytes 0-${Math.max(0, stat.size - 1)}.`,
          { details: { size: stat.size } },
        );
      }
      const stream = createReadStream(real, {
        fd,
        autoClose: true,
        highWaterMark: this.highWaterMark,
        ...(served ? { start: served.start, end: served.end } : {}),
      });
      return {
        stream,
        size: stat.size,
        contentType: this.contentType,
        etag: fileEtag(stat),
        ...(served ? { range: served } : {}),
      };
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
  }

  private openFailure(error: unknown): DataPlaneError {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ELOOP') return refused('is a symbolic link at open time', this.path);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new DataPlaneError('ERR_SOURCE_NOT_FOUND', `${this.describe()} does not exist; fix the asset.`);
    }
    return new DataPlaneError(
      'ERR_SOURCE_NOT_FOUND',
      `${this.describe()} cannot be opened (${code ?? 'error'}).`,
      {
        cause: error,
      },
    );
  }
}

export function fileSourceFactory(config: FileSourceConfig): SourceFactory {
  const bases = config.baseDirectories.map((dir) => resolve(dir));
  // The real location of each base (a base may itself be a link), kept once every base exists.
  let realBases: Promise<readonly string[]> | undefined;
  const getRealBases = (): Promise<readonly string[]> => {
    realBases ??= Promise.all(bases.map((b) => realpath(b).catch(() => undefined))).then((list) => {
      const found = list.filter((b): b is string => b !== undefined);
      if (found.length < bases.length) realBases = undefined;
      return found;
    });
    return realBases;
  };
  return {
    kind: 'file',
    create(address: DataAddressLike): DataSource {
      const raw = requiredString(address, 'path');
      const path = checkLexically(raw, bases);
      checkLinks(path, raw, bases);
      return new FileSource(
        path,
        contentTypeOf(address, contentTypeForPath(path)),
        getRealBases,
        config.highWaterMark ?? 64 * 1024,
      );
    },
  };
}
