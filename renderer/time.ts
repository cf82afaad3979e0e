/** Seconds as minutes and seconds, "3:05", for times left. */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Milliseconds as a file's time in a list: "3.2 s". */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
