import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

/** What only a packaged Electron app would show; the files that set it are checked here. */
describe('Electron hardening settings', () => {
  it('the page’s own CSP (the one that applies to it) allows no network, frames, workers or forms', () => {
    const html = readFileSync(join(repoRoot, 'renderer', 'index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    for (const rule of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'none'",
      "frame-src 'none'",
      "worker-src 'none'",
      "object-src 'none'",
      "form-action 'none'",
      "base-uri 'none'",
    ]) {
      expect(csp).toContain(rule);
    }
  });

  it('the packaged binary has its fuses set', () => {
    const yml = readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8');
    const fuses = yml.slice(yml.indexOf('electronFuses:'));
    for (const line of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
      'grantFileProtocolExtraPrivileges: false',
    ]) {
      expect(fuses).toContain(line);
    }
  });

  it('main serves the renderer from app://, denies frame navigation and checks permissions', () => {
    const main = readFileSync(join(repoRoot, 'electron', 'main', 'index.ts'), 'utf8');
    expect(main).not.toMatch(/loadFile\(/);
    expect(main).toMatch(/window\.loadURL\(`\$\{APP_ORIGIN\}\/index\.html`\)/);
    expect(main).toMatch(/'will-frame-navigate', \(e\) => e\.preventDefault\(\)/);
    expect(main).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
  });
});
