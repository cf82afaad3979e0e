// npm ci does not run Electron's download script (package.json allowScripts denies it, so that
// installs work offline and in CI). Fetch the Electron binary on first `npm start` / `npm run dist`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = join(__dirname, '..', 'node_modules', 'electron');
if (!existsSync(join(dir, 'path.txt'))) {
  console.error('Downloading the Electron binary (once)…');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('Could not download Electron. The CLI (npx ganvas) and the tests work without it.');
    process.exit(1);
  }
}
