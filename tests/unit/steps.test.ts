import { describe, expect, it } from 'vitest';
import { Steps } from '../../electron/engine/tools/steps.js';
import type { ToolProgress } from '../../electron/engine/tools/tool.js';

describe('a tool’s named steps', () => {
  it('report each step as it starts and the end, and stop the job at the next step after a cancel', () => {
    const seen: ToolProgress[] = [];
    const abort = new AbortController();
    const steps = new Steps(['painting', 'bringing to full size'], (p) => seen.push(p), abort.signal);
    steps.start('painting', 'at 512px');
    abort.abort();
    expect(() => steps.start('bringing to full size')).toThrow(expect.objectContaining({ code: 'CANCELLED' }));
    expect(seen).toEqual([{ done: 0, total: 2, unit: 'steps', message: 'painting (at 512px)' }]);
    const again = new Steps(['one', 'two'], (p) => seen.push(p), new AbortController().signal);
    again.start('two');
    again.finish();
    expect(seen.slice(1).map((p) => [p.done, p.total, p.message])).toEqual([
      [1, 2, 'two'],
      [2, 2, 'done'],
    ]);
    expect(() => again.start('three')).toThrow(/not one of one, two/);
  });
});
