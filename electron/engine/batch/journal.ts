import { createHash } from 'node:crypto';
import { appendFile, lstat, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GanvasError } from '../errors.js';
import { within } from '../paths.js';

export type JournalRecord = { rel: string; status: 'started' | 'done' | 'failed'; output: string | null; reason?: string; at: string };

/**
 * What a batch has done, one line per event, in the output folder: running the same batch again
 * reads it to skip what is done. A batch is "the same" when its input, output and recipe are.
 */
export class Journal {
  private constructor(
    readonly path: string,
    readonly last: Map<string, JournalRecord>,
  ) {}

  static key(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  }

  static async open(outputDir: string, key: string): Promise<Journal> {
    const path = join(outputDir, '.ganvas-batch', `journal-${key}.jsonl`);
    await mkdir(dirname(path), { recursive: true });
    if (!within(dirname(path), outputDir))
      throw new GanvasError(
        'INVALID_INPUT',
        `${dirname(path)} leads outside the output folder ${outputDir} (it is a link); remove it and run the batch again.`,
      );
    // Appended to at every file: a link here would be written through (and read) wherever it leads.
    if ((await lstat(path).catch(() => null))?.isSymbolicLink())
      throw new GanvasError('INVALID_INPUT', `The batch journal ${path} is a link, which a batch never writes through; remove it and run the batch again.`);
    const last = new Map<string, JournalRecord>();
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as JournalRecord;
        // "started" after "done" cannot happen; a later "started" only matters when not done.
        if (last.get(r.rel)?.status !== 'done') last.set(r.rel, r);
      } catch {
        // The last line of a journal cut short by a crash: what it would have said is redone.
      }
    }
    return new Journal(path, last);
  }

  async write(r: Omit<JournalRecord, 'at'>): Promise<void> {
    await appendFile(this.path, `${JSON.stringify({ ...r, at: new Date().toISOString() })}\n`);
  }
}
