// File-system helpers for the key directory: owner-only permissions, checked on load, and atomic replacement so
// a crash mid-write never leaves a truncated key file behind.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KeyStoreError, describeError } from '../errors.js';

export const KEY_DIR_MODE = 0o700;
export const KEY_FILE_MODE = 0o600;

// POSIX permissions do not exist on Windows; there the directory ACLs are the operator's job.
const checkModes = process.platform !== 'win32';

function ioError(action: string, path: string, error: unknown): KeyStoreError {
  return new KeyStoreError('ERR_KEYSTORE_IO', `Could not ${action} ${path}: ${describeError(error)}.`, {
    cause: error,
    details: { path },
  });
}

/** Creates the key directory with mode 0700 if missing; refuses an existing one that others can access. */
export async function ensurePrivateDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true, mode: KEY_DIR_MODE });
  } catch (error) {
    throw ioError('create key directory', directory, error);
  }
  if (!checkModes) return;
  const info = await stat(directory).catch((error: unknown) => {
    throw ioError('inspect key directory', directory, error);
  });
  if (!info.isDirectory()) {
    throw new KeyStoreError('ERR_KEYSTORE_IO', `${directory} exists but is not a directory.`, {
      details: { path: directory },
    });
  }
  if ((info.mode & 0o077) !== 0) {
    throw new KeyStoreError(
      'ERR_KEYSTORE_INSECURE_PERMISSIONS',
      `Key directory ${directory} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); ` +
        `run "chmod 700 ${directory}" and check who else could have read the keys.`,
      { details: { path: directory } },
    );
  }
}

/** Reads a key file, refusing one that group or others can read or write. Returns undefined if absent. */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('inspect key file', path, error);
  }
  if (checkModes && (mode & 0o077) !== 0) {
    throw new KeyStoreError(
      'ERR_KEYSTORE_INSECURE_PERMISSIONS',
      `Key file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run ` +
        `"chmod 600 ${path}" and consider rotating the keys.`,
      { details: { path } },
    );
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw ioError('read key file', path, error);
  }
}

/** Writes `content` to `path` atomically (temp file with mode 0600, fsync, rename). */
export async function writePrivateFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', KEY_FILE_MODE);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask cannot widen 0600, but an explicit chmod documents the intent and covers odd file systems.
    if (checkModes) await chmod(temp, KEY_FILE_MODE);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw ioError('write key file', path, error);
  }
}
