// One pino logger per process. Lines go to stderr (stdout carries the CLI's output and the connector's
// ready line): JSON lines when stderr is not a terminal, pino-pretty (synchronous, in this process, no worker
// thread) when it is. Every line has time, level and, once the process knows it, `process` and `did`; lines
// written while a request is served also have its `requestId` (request-context.ts).
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import PinoPretty from 'pino-pretty';
import { currentRequestId } from './request-context.js';

export type { Logger, LevelWithSilent };

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export class LogLevelError extends Error {}

/** A level name checked; `where` names the flag or variable in the error. */
export function parseLogLevel(value: string, where: string): LevelWithSilent {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LevelWithSilent;
  throw new LogLevelError(`${where} must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
}

/**
 * SHUYU_LOG_LEVEL, else `silent` inside mocha (tests read what they need from a captured stream), else info.
 */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const configured = env.SHUYU_LOG_LEVEL;
  if (configured !== undefined && configured !== '') return parseLogLevel(configured, 'SHUYU_LOG_LEVEL');
  return underMocha() ? 'silent' : 'info';
}

function underMocha(): boolean {
  const globals = globalThis as { describe?: unknown; it?: unknown };
  return typeof globals.describe === 'function' && typeof globals.it === 'function';
}

export interface LoggerOptions {
  /** Default defaultLogLevel(). */
  readonly level?: LevelWithSilent;
  /** Where lines go (tests pass a stream to read them); default stderr, pretty when it is a terminal. */
  readonly destination?: DestinationStream;
  /** Fields on every line, e.g. { process: 'authority' }. */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? defaultLogLevel(),
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Only the request id of the request being served; everything else is bound with child().
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? stderrDestination(),
  );
}

function stderrDestination(): DestinationStream {
  if (process.stderr.isTTY) {
    return PinoPretty({
      sync: true,
      destination: 2,
      colorize: true,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
      ignore: 'pid,hostname',
      singleLine: true,
    });
  }
  return pino.destination({ fd: 2, sync: true });
}

let root: Logger | undefined;

/** The process's logger: what modules log to when no component logger was handed to them. */
export function rootLogger(): Logger {
  if (root === undefined) {
    try {
      root = createLogger();
    } catch (error) {
      // A mistyped SHUYU_LOG_LEVEL must not hide the logs: info, and say so.
      root = createLogger({ level: 'info' });
      root.warn((error as Error).message);
    }
  }
  return root;
}

/** Sets the process's logger level (`--log-level`); call before starting anything. */
export function setLogLevel(level: LevelWithSilent): void {
  rootLogger().level = level;
}

/** A `(error) => void` callback for modules that report unexpected failures that way. */
export function errorReporter(logger: Logger, what: string): (error: unknown) => void {
  return (error) => logger.error({ err: error }, `${what}: ${(error as Error)?.message ?? String(error)}`);
}
