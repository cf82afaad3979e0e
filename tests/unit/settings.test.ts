import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsFile } from '../../electron/engine/settings.js';

describe('settings', () => {
  it('a change keeps the other settings and survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-settings-'));
    await SettingsFile.in(dir).update({ aiResult: 'replace' });
    const first = SettingsFile.in(dir);
    await first.update({ recordAiProvenance: false });
    expect(SettingsFile.in(dir).get()).toEqual({ ...DEFAULT_SETTINGS, aiResult: 'replace', recordAiProvenance: false });
  });

  it('refuses invalid values and unknown names', async () => {
    const s = SettingsFile.in(mkdtempSync(join(tmpdir(), 'ganvas-settings-')));
    await expect(s.update({ historyBudgetBytes: 1 })).rejects.toThrow();
    await expect(s.update({ colour: 'red' } as never)).rejects.toThrow();
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('a damaged file gives defaults for what cannot be read, and keeps what can', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-settings-'));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ autosaveMinutes: 10, aiResult: 'sideways' }));
    expect(SettingsFile.in(dir).get()).toEqual({ ...DEFAULT_SETTINGS, autosaveMinutes: 10 });
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    expect(SettingsFile.in(dir).get()).toEqual(DEFAULT_SETTINGS);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{ not json');
  });
});
