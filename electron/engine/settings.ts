import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_HISTORY_BUDGET } from './document/history-store.js';

export const settingsSchema = z.object({
  /** Where an AI tool's result goes: a new layer, or replacing the source layer's pixels (one undoable step). */
  aiResult: z.enum(['new-layer', 'replace']).default('new-layer'),
  /** Memory for undo history before older steps move to disk. */
  historyBudgetBytes: z.number().int().min(64 * 2 ** 20).max(64 * 2 ** 30).default(DEFAULT_HISTORY_BUDGET),
  autosaveMinutes: z.number().min(0.5).max(60).default(3),
  /** Record in exported files' XMP which edits were made by AI. */
  recordAiProvenance: z.boolean().default(true),
  /** Keep undo histories in saved projects. */
  saveHistoryInProjects: z.boolean().default(true),
});
export type Settings = z.infer<typeof settingsSchema>;
export const settingsPatch = settingsSchema.partial();

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** Settings kept as JSON in the user's data folder; a missing or unreadable file means defaults. */
export class SettingsFile {
  private current: Settings;

  constructor(private readonly path: string) {
    let stored: unknown = {};
    try {
      stored = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // First run, or a damaged file: defaults, which the next change writes back.
    }
    const parsed = settingsSchema.safeParse(stored);
    this.current = parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  static in(dir: string): SettingsFile {
    return new SettingsFile(join(dir, 'settings.json'));
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: z.input<typeof settingsPatch>): Promise<Settings> {
    this.current = settingsSchema.parse({ ...this.current, ...settingsPatch.parse(patch) });
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.current, null, 2));
    await rename(tmp, this.path);
    return this.current;
  }
}
