// The connector's key set on disk: one JSON file (keyset.json, mode 0600) in a directory (mode 0700). A key is
// created on first start; rotation adds a new active key and keeps the old ones published (still in the DID
// document, so signatures made with them keep verifying) until they are explicitly retired.
import { join } from 'node:path';
import { inspect } from 'node:util';
import { systemClock, type Clock } from '../clock.js';
import { KeyStoreError, describeError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { ensurePrivateDirectory, readPrivateFile, writePrivateFileAtomic } from './files.js';
import { Ed25519Key, type KeyStatus, type PrivateEd25519Jwk } from './key.js';

export const KEYSET_FILE_NAME = 'keyset.json';
const FORMAT_VERSION = 1;

export interface OpenKeyStoreOptions {
  clock?: Clock;
}

interface StoredKey {
  status: KeyStatus;
  createdAt: string;
  retiredAt?: string;
  jwk: PrivateEd25519Jwk;
}

function corrupt(path: string, reason: string): KeyStoreError {
  return new KeyStoreError(
    'ERR_KEYSTORE_CORRUPT',
    `Key file ${path} is not a valid Shuyu key set (${reason}); restore it from backup or move it away to ` +
      'create a new identity (peers will then no longer recognise signatures made with the old keys).',
    { details: { path } },
  );
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function parseStoredKey(value: unknown, path: string): StoredKey {
  if (!isRecord(value) || !isRecord(value.jwk)) throw corrupt(path, 'key entry is not an object');
  const { status, createdAt, retiredAt, jwk } = value;
  if (status !== 'active' && status !== 'published') throw corrupt(path, 'unknown key status');
  if (!isString(createdAt) || (retiredAt !== undefined && !isString(retiredAt))) {
    throw corrupt(path, 'bad key timestamps');
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !isString(jwk.x) || !isString(jwk.d)) {
    throw corrupt(path, 'key is not an Ed25519 private JWK');
  }
  return {
    status,
    createdAt,
    ...(retiredAt !== undefined ? { retiredAt } : {}),
    jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d },
  };
}

async function decodeKeySet(text: string, path: string): Promise<Ed25519Key[]> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not JSON');
  }
  if (!isRecord(document) || document.version !== FORMAT_VERSION || !Array.isArray(document.keys)) {
    throw corrupt(path, `expected {"version": ${FORMAT_VERSION}, "keys": [...]}`);
  }
  const stored = document.keys.map((entry) => parseStoredKey(entry, path));
  if (stored.filter((key) => key.status === 'active').length !== 1) {
    throw corrupt(path, 'exactly one key must be active');
  }
  const keys: Ed25519Key[] = [];
  for (const entry of stored) {
    try {
      keys.push(
        await Ed25519Key.fromPrivateJwk(entry.jwk, {
          status: entry.status,
          createdAt: entry.createdAt,
          ...(entry.retiredAt !== undefined ? { retiredAt: entry.retiredAt } : {}),
        }),
      );
    } catch (error) {
      throw corrupt(path, `unusable key material: ${describeError(error)}`);
    }
  }
  return keys;
}

function encodeKeySet(keys: readonly Ed25519Key[]): string {
  const stored: StoredKey[] = keys.map((key) => ({
    status: key.status,
    createdAt: key.createdAt,
    ...(key.retiredAt !== undefined ? { retiredAt: key.retiredAt } : {}),
    jwk: key.exportPrivateJwk(),
  }));
  return `${JSON.stringify({ version: FORMAT_VERSION, keys: stored }, null, 2)}\n`;
}

export class KeyStore {
  readonly directory: string;
  readonly file: string;
  readonly #clock: Clock;
  #keys: readonly Ed25519Key[];
  // Serialises rotate/retire so two concurrent calls cannot lose an update.
  #pending: Promise<unknown> = Promise.resolve();

  private constructor(directory: string, keys: readonly Ed25519Key[], clock: Clock) {
    this.directory = directory;
    this.file = join(directory, KEYSET_FILE_NAME);
    this.#keys = keys;
    this.#clock = clock;
  }

  /** @internal Use openKeyStore(). */
  static async open(directory: string, options: OpenKeyStoreOptions = {}): Promise<KeyStore> {
    const clock = options.clock ?? systemClock;
    await ensurePrivateDirectory(directory);
    const path = join(directory, KEYSET_FILE_NAME);
    const text = await readPrivateFile(path);
    if (text !== undefined) return new KeyStore(directory, await decodeKeySet(text, path), clock);
    const first = await Ed25519Key.generate(clock());
    await writePrivateFileAtomic(path, encodeKeySet([first]));
    return new KeyStore(directory, [first], clock);
  }

  /** The key used for every new signature. */
  get activeKey(): Ed25519Key {
    const active = this.#keys.find((key) => key.status === 'active');
    // The invariant (exactly one active key) is checked on load and kept by rotate/retire.
    if (!active) throw new KeyStoreError('ERR_KEY_NOT_FOUND', 'The key set has no active key.');
    return active;
  }

  /** Every key that belongs in the DID document: the active key first, then retired-but-published keys. */
  get publishedKeys(): readonly Ed25519Key[] {
    return [this.activeKey, ...this.#keys.filter((key) => key.status !== 'active')];
  }

  getKey(kid: string): Ed25519Key | undefined {
    return this.#keys.find((key) => key.kid === kid);
  }

  /** Creates a new active key; the previous active key stays published until retire() is called for it. */
  rotate(): Promise<Ed25519Key> {
    return this.#serialised(async () => {
      const now = this.#clock();
      const next = await Ed25519Key.generate(now);
      const keys = [
        next,
        ...this.#keys.map((key) =>
          key.status === 'active'
            ? key.withMetadata({
                status: 'published',
                createdAt: key.createdAt,
                retiredAt: now.toISOString(),
              })
            : key,
        ),
      ];
      await this.#commit(keys);
      return next;
    });
  }

  /**
   * Removes a published key from the key set (and so from the DID document); its private half is deleted.
   * Signatures made with it stop verifying once peers refresh their DID cache.
   */
  retire(kid: string): Promise<void> {
    return this.#serialised(async () => {
      const key = this.getKey(kid);
      if (!key) {
        throw new KeyStoreError('ERR_KEY_NOT_FOUND', `No key with id ${kid} in ${this.file}.`, {
          details: { kid },
        });
      }
      if (key.status === 'active') {
        throw new KeyStoreError(
          'ERR_KEY_ACTIVE',
          `Key ${kid} is the active signing key; rotate first, then retire the old key.`,
          { details: { kid } },
        );
      }
      await this.#commit(this.#keys.filter((candidate) => candidate.kid !== kid));
    });
  }

  toJSON(): Record<string, unknown> {
    return { directory: this.directory, keys: this.#keys.map((key) => key.toJSON()) };
  }

  [inspect.custom](): string {
    return `KeyStore(${this.directory}, ${this.#keys.length} key(s))`;
  }

  async #commit(keys: readonly Ed25519Key[]): Promise<void> {
    await writePrivateFileAtomic(this.file, encodeKeySet(keys));
    this.#keys = keys;
  }

  #serialised<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#pending.then(operation, operation);
    this.#pending = result.catch(() => undefined);
    return result;
  }
}

/**
 * Opens the key set in `directory`, creating the directory (0700) and a first Ed25519 key (file 0600) on first
 * start. Refuses files or directories that group/others can access.
 */
export function openKeyStore(directory: string, options: OpenKeyStoreOptions = {}): Promise<KeyStore> {
  return KeyStore.open(directory, options);
}
