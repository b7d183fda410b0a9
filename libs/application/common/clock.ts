/** The calendar the service runs on: dates are days in Asia/Shanghai (UTC+8, no daylight saving). */

/** The date in Asia/Shanghai at a given instant. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Today in Asia/Shanghai, read from the clock (the domain never reads it: callers pass this in). */
export function today(): string {
  return shanghaiDate(new Date());
}
