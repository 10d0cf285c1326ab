// Exponential back-off with jitter: the n-th retry waits base * 2^(n-1), capped, minus a random share of up
// to `jitter`. Jitter spreads retries of many entries that failed together (a peer restart) so they do not
// return in one burst. With jitter <= 0.5 a later wait is never shorter than an earlier one below the cap,
// because each wait lies in [d * (1 - jitter), d] and d doubles.

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 0 (none) to 1 (full jitter). */
  readonly jitter: number;
}

/** The wait after failed attempt number `attempt` (1 for the first). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = options.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}
