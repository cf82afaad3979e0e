import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecentFiles } from '../../electron/engine/recent.js';

describe('recent files', () => {
  it('most recent first, no repeats, at most ten, kept across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-recent-'));
    const recent = new RecentFiles(dir);
    for (let i = 0; i < 12; i++) await recent.add(`/photos/${i}.jpg`);
    await recent.add('/photos/5.jpg');
    const expected = [
      '/photos/5.jpg',
      '/photos/11.jpg',
      '/photos/10.jpg',
      '/photos/9.jpg',
      '/photos/8.jpg',
      '/photos/7.jpg',
      '/photos/6.jpg',
      '/photos/4.jpg',
      '/photos/3.jpg',
      '/photos/2.jpg',
    ];
    expect(recent.list()).toEqual(expected);
    expect(new RecentFiles(dir).list()).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['recent.json']);
  });

  it('a damaged list starts empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-recent-'));
    writeFileSync(join(dir, 'recent.json'), '["/a.jpg", 3');
    expect(new RecentFiles(dir).list()).toEqual([]);
  });
});
