import { describe, expect, it } from 'vitest';
import { COMMANDS, help } from '../../electron/engine/cli/main.js';

describe('the CLI help', () => {
  it('is made from the commands’ own flag tables: every flag a command accepts is listed under it', () => {
    const text = help();
    for (const c of COMMANDS) {
      const start = text.indexOf(`  ganvas ${c.name}`);
      expect(start, c.name).toBeGreaterThanOrEqual(0);
      const next = COMMANDS.filter((o) => o !== c)
        .map((o) => text.indexOf(`\n  ganvas ${o.name} `, start + 1))
        .filter((i) => i > start);
      const section = text.slice(start, Math.min(text.length, ...next));
      for (const [name, flag] of Object.entries(c.flags)) {
        if (['models-dir', 'provider', 'help'].includes(name)) continue;
        expect(section, `${c.name} --${name}`).toContain(`--${name}${flag.hint ? ` ${flag.hint}` : ''}`);
      }
    }
    // Style, Low light and Erase take the export flags too (the old hand-written help left them out).
    for (const name of ['style', 'lowlight', 'erase']) expect(text.slice(text.indexOf(`  ganvas ${name}`)).slice(0, 600)).toContain('--bit-depth 8|16');
  });
});
