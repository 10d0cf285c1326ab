// Helpers for commands that run a server until the user stops it.
import {
  LogLevelError,
  parseLogLevel,
  setLogLevel,
  type LevelWithSilent,
} from '../connector/logging/index.js';
import { CliError, EXIT } from './io.js';

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, docker stop). */
export function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--log-level LEVEL` of the server commands (else SHUYU_LOG_LEVEL, else `fallback`, else info). */
export function applyLogLevel(flag: string | undefined, fallback?: LevelWithSilent): void {
  try {
    if (flag !== undefined) setLogLevel(parseLogLevel(flag, '--log-level'));
    else if (fallback !== undefined && !process.env.SHUYU_LOG_LEVEL) setLogLevel(fallback);
  } catch (error) {
    if (error instanceof LogLevelError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** The --log-level flag of the commands that run servers. */
export const LOG_LEVEL_FLAG = {
  'log-level': {
    type: 'string',
    value: 'L',
    help: 'fatal|error|warn|info|debug|trace|silent (default: $SHUYU_LOG_LEVEL, else info); logs go to\nstderr as JSON lines, pretty on a terminal (docs/operations.md "Logs")',
  },
} as const;

export const LOG_LEVEL_HELP = `--log-level fatal|error|warn|info|debug|trace|silent (default: SHUYU_LOG_LEVEL, else info): logs go to
      stderr, JSON lines (pretty on a terminal; docs/operations.md "Logs").`;
