// Time is always an explicit input so that validity checks can be tested without waiting or faking timers.

/** Returns the current time. Inject a fixed or stepped clock in tests. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Seconds since the epoch, as used by JWT `iat`, `exp` and `nbf`. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** XML Schema dateTime without fractional seconds, the form VC validFrom/validUntil use. */
export function toXsdDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
