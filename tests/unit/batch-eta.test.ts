import { describe, expect, it } from 'vitest';
import { secondsLeft } from '../../electron/engine/batch/eta.js';

const KB = 1024;
const none = { files: 0, bytes: 0, ms: 0 };

describe('a batch’s time left', () => {
  it('is not guessed before a file has finished', () => {
    expect(secondsLeft({ finished: none, running: [{ bytes: 100 * KB, elapsedMs: 5000 }], queued: { files: 1, bytes: 100 * KB }, concurrency: 1 })).toBeNull();
  });

  it('counts each file left by its size at the pace of those finished, less what a running one has had', () => {
    // Two 100 KB photos took 3 s each; the last is three times as large and has run 2 s: about 7 s more, not "0:06" for a third file of the same pace.
    const left = secondsLeft({
      finished: { files: 2, bytes: 200 * KB, ms: 6000 },
      running: [{ bytes: 300 * KB, elapsedMs: 2000 }],
      queued: { files: 0, bytes: 0 },
      concurrency: 2,
    });
    expect(left).toBeCloseTo(7, 5);
  });

  it('shares the work of the files left between those run at once', () => {
    const work = { finished: { files: 1, bytes: 100 * KB, ms: 2000 }, running: [{ bytes: 100 * KB, elapsedMs: 500 }], queued: { files: 2, bytes: 300 * KB } };
    expect(secondsLeft({ ...work, concurrency: 1 })).toBeCloseTo(1.5 + 2 + 4, 5);
    expect(secondsLeft({ ...work, concurrency: 2 })).toBeCloseTo((1.5 + 2 + 4) / 2, 5);
  });

  it('says nothing rather than "0:00" when all that is left is a file running longer than its size says', () => {
    const finished = { files: 1, bytes: 100 * KB, ms: 3000 };
    expect(secondsLeft({ finished, running: [{ bytes: 100 * KB, elapsedMs: 4000 }], queued: { files: 0, bytes: 0 }, concurrency: 2 })).toBeNull();
    // With files still waiting, those are counted; the overdue one adds nothing more.
    expect(secondsLeft({ finished, running: [{ bytes: 100 * KB, elapsedMs: 4000 }], queued: { files: 1, bytes: 100 * KB }, concurrency: 1 })).toBeCloseTo(3, 5);
  });
});
