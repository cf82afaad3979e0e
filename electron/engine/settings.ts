import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { z } from 'zod';
import { DEFAULT_HISTORY_BUDGET } from './document/history-store.js';
import { PROVIDER_CHOICES } from './inference/provider-ids.js';

const settingsShape = z.object({
  /** Where an AI tool's result goes: a new layer, or replacing the source layer's pixels (one undoable step). */
  aiResult: z.enum(['new-layer', 'replace']),
  /** Memory for undo history before older steps move to disk. */
  historyBudgetBytes: z
    .number()
    .int()
    .min(64 * 2 ** 20)
    .max(64 * 2 ** 30),
  autosaveMinutes: z.number().min(0.5).max(60),
  /** Record in exported files' XMP which edits were made by AI. */
  recordAiProvenance: z.boolean(),
  /** Keep undo histories in saved projects. */
  saveHistoryInProjects: z.boolean(),
  /** What the networks run on (a --provider flag or GANVAS_PROVIDER, where given, wins for that run). */
  provider: z.enum(PROVIDER_CHOICES),
});
export type Settings = z.infer<typeof settingsShape>;
/** Some settings to change; the others stay as they are. */
export const settingsPatch = settingsShape.partial().strict();

export const DEFAULT_SETTINGS: Settings = {
  aiResult: 'new-layer',
  historyBudgetBytes: DEFAULT_HISTORY_BUDGET,
  autosaveMinutes: 3,
  recordAiProvenance: true,
  saveHistoryInProjects: true,
  provider: 'auto',
};

/** Settings kept as JSON in the user's data folder; missing or invalid entries take their defaults. */
export class SettingsFile {
  private current: Settings;

  constructor(private readonly path: string) {
    let stored: Record<string, unknown> = {};
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      // First run, or a damaged file: defaults, which the next change writes back.
    }
    const valid = Object.entries(stored).filter(([k, v]) => k in settingsShape.shape && settingsPatch.safeParse({ [k]: v }).success);
    this.current = { ...DEFAULT_SETTINGS, ...Object.fromEntries(valid) };
  }

  static in(dir: string): SettingsFile {
    return new SettingsFile(join(dir, 'settings.json'));
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: z.input<typeof settingsPatch>): Promise<Settings> {
    this.current = { ...this.current, ...settingsPatch.parse(patch) };
    await writeFileAtomic(this.path, JSON.stringify(this.current, null, 2));
    return this.current;
  }
}
