import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The rows `npm run bench` prints, collected as each measure completes (also echoed to stderr). */
const rows: [string, string, string][] = [];

export function row(what: string, value: string, target = ''): void {
  rows.push([what, value, target]);
  process.stderr.write(`${what}: ${value}\n`);
}

export function printTable(): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n${'measure'.padEnd(w0)} | ${'value'.padEnd(w1)} | target`);
  console.log(`${'-'.repeat(w0)}-|-${'-'.repeat(w1)}-|-------`);
  for (const [a, v, t] of rows) console.log(`${a.padEnd(w0)} | ${v.padEnd(w1)} | ${t}`);
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
export const ms = (t: number): string => `${t.toFixed(0)} ms`;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await work();
  return { result, ms: performance.now() - t0 };
}

/** Runs `work` and reports the process's resident memory at its highest while it ran (sampled every `everyMs`; at least what it was before). */
export async function withPeakRss<T>(work: () => Promise<T>, everyMs: number): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const poll = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  try {
    const result = await work();
    return { result, peak };
  } finally {
    clearInterval(poll);
  }
}

/** Runs `work` and reports the main thread's event-loop delay (p99 and the longest) while it ran. */
export async function withLag<T>(work: () => Promise<T>): Promise<{ result: T; lagP99Ms: number; lagMaxMs: number }> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    const result = await work();
    return { result, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6 };
  } finally {
    lag.disable();
  }
}
