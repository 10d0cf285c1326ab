// Helpers for commands that run a server until the user stops it.

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
