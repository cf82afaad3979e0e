/** What a batch's time left is estimated from: the files finished, those running and those waiting, by size. */
export interface BatchWork {
  /** The files worked on to the end: how many, and their sizes and times together. */
  finished: { files: number; bytes: number; ms: number };
  running: readonly { bytes: number; elapsedMs: number }[];
  /** The files not started yet: how many, and their sizes together. */
  queued: { files: number; bytes: number };
  /** Files worked on at once. */
  concurrency: number;
}

/**
 * Seconds the batch still needs: every file left is as much work as its size says at the pace of
 * the files finished, less what a running one has had already, shared by the files run at once.
 * Null before a file has finished, and when all that is left is a file already running longer than
 * its size says (any number would be a guess; "0:00 left" for a file that takes 15 s more is wrong).
 */
export function secondsLeft(w: BatchWork): number | null {
  const { files, bytes, ms } = w.finished;
  if (files === 0 || bytes <= 0) return null;
  const msPerByte = ms / bytes;
  const runningLeft = w.running.map((r) => r.bytes * msPerByte - r.elapsedMs);
  if (w.queued.files === 0 && runningLeft.some((left) => left <= 0)) return null;
  const work = w.queued.bytes * msPerByte + runningLeft.reduce((s, left) => s + Math.max(0, left), 0);
  const atOnce = Math.max(1, Math.min(w.concurrency, w.queued.files + w.running.length));
  return work / atOnce / 1000;
}
