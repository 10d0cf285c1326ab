// Per-process configuration shared by the authority and connectors: a JSON file in the process's data
// directory, written atomically with owner-only permissions, plus what every process derives from it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost, type HostPolicy } from '../identity/index.js';

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
}

/** Hosts whose DID documents and status lists a local data space may fetch. */
export const LOCAL_DID_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

export function hostPolicyFor(hosts: readonly string[]): HostPolicy {
  return {
    allow: hosts,
    allowHttpForLoopback: hosts.some((host) => isLoopbackHost(host.split(':')[0] ?? '')),
  };
}

export function readConfigFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON (${(error as Error).message}); fix or delete it.`);
  }
}

export function writeConfigFile(file: string, value: unknown): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(temporary, file);
}

export function ensureDataDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function dataFile(dir: string, name: string): string {
  return join(dir, name);
}

/** A bind port from config or environment: an integer 0..65535. */
export function parsePort(value: unknown, what: string): number {
  const port = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`${what} must be a port number 0..65535, not ${JSON.stringify(value)}.`);
  }
  return port;
}
