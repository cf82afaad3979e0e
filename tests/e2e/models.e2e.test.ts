import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCatalogPath } from '../../electron/engine/models/catalog.js';
import { openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, repoRoot } from '../support/paths.js';
import { miganLike } from '../support/tiny-onnx.js';

/**
 * A new user's app: only the bundled models (an empty models folder), and MI-GAN downloadable
 * from a local server standing in for its catalog URL (a stand-in network with MI-GAN's signature).
 */
describe('Models in Chromium: bundled ones work at once, a missing one is offered and then used', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  let server: Server;
  const migan = Buffer.from(miganLike([200, 100, 50]));
  const dir = mkdtempSync(join(tmpdir(), 'ganvas-e2e-models-'));
  const catalogPath = join(dir, 'catalog.json');
  let engine: ReturnType<typeof testEngine>;
  const doc = () => engine.documents()[0]!;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': migan.length }).end(migan);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/migan_pipeline_v2.onnx`;
    const catalog = JSON.parse(readFileSync(bundledCatalogPath, 'utf8')) as {
      models: { id: string; url?: string | null; sha256: string | null; bytes: number | null }[];
    };
    Object.assign(
      catalog.models.find((m) => m.id === 'migan-pipeline-v2')!,
      { url, sha256: createHash('sha256').update(migan).digest('hex'), bytes: migan.length },
    );
    writeFileSync(catalogPath, JSON.stringify(catalog));
    engine = testEngine({ modelsDir: join(dir, 'models'), catalogPath });
    ({ page, close } = await openApp(engine, { openFile: async () => photo('coffee.png') }));
  });

  afterAll(async () => {
    await close?.();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const status = () => page.getByTestId('status').textContent();
  const useTool = (name: string) => page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name, exact: true }).click();

  it('Enhance, Low light and Style run on the bundled models', async () => {
    await page.keyboard.press('Control+o');
    await expect.poll(status).toContain('coffee.png · 600×400');
    await page.getByRole('region', { name: 'Enhance' }).getByRole('radio', { name: '×2' }).check();
    await page.getByRole('region', { name: 'Enhance' }).getByRole('button', { name: 'Enhance ×2' }).click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/Enhanced in/);
    await useTool('Low light');
    await page.getByRole('region', { name: 'Low light' }).getByRole('button', { name: 'Brighten' }).click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/Brightened in/);
    await useTool('Style');
    await page.getByRole('region', { name: 'Style' }).getByRole('button', { name: 'Apply' }).click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/Painted in/);
    expect(doc().layers.map((l) => l.modelId)).toEqual([null, 'realesr-general-x4v3', 'iat_lol', 'painter_monet']);
  });

  it('High quality Enhance is not installed: the panel says where it comes from instead of a button that fails', async () => {
    await useTool('Enhance');
    const panel = page.getByRole('region', { name: 'Enhance' });
    await panel.getByRole('radio', { name: 'High quality' }).check();
    await expect
      .poll(() => panel.getByRole('status', { name: 'Model needed' }).textContent())
      .toMatch(/High quality.*is not installed\..*It comes from xinntao\/Real-ESRGAN/s);
    await expect.poll(() => panel.getByRole('button', { name: 'Install from a folder…' }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /^Enhance ×/ }).count()).toBe(0);
    await panel.getByRole('radio', { name: 'Fast' }).check();
  });

  it('Erase offers MI-GAN as a one-click download; choosing it asks for it; after it, Erase runs with it', async () => {
    await useTool('Erase');
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await expect
      .poll(() => panel.getByRole('note', { name: 'A better Erase model' }).textContent())
      .toMatch(/Sharper fills for large areas: Erase — MI-GAN.*\(\d+ KB\)/);
    await panel.getByRole('combobox', { name: 'Erase model' }).selectOption('migan-pipeline-v2');
    const needed = panel.getByRole('status', { name: 'Model needed' });
    await expect.poll(() => needed.textContent()).toMatch(/MI-GAN.*is not installed/);
    expect(await panel.getByRole('button', { name: 'Erase', exact: true }).count()).toBe(0);
    await needed.getByRole('button', { name: /^Download \(\d+ KB\)$/ }).click();
    await expect.poll(() => panel.getByRole('status', { name: 'Model needed' }).count(), { timeout: 30_000 }).toBe(0);
    expect(requests).toBe(1);
    await expect.poll(status).toMatch(/Installed “Erase — MI-GAN/);

    await panel.getByRole('radio', { name: 'Rectangle' }).check();
    const box = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.45);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.55, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => doc().hasSelection).toBe(true);
    await expect.poll(() => panel.getByRole('button', { name: 'Erase', exact: true }).isDisabled()).toBe(false);
    await panel.getByRole('button', { name: 'Erase', exact: true }).click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/Erased in/);
    expect(doc().layers.at(-1)!.modelId).toBe('migan-pipeline-v2');
  });

  it('a failure reaches the page with its code, so the app can act on its kind', async () => {
    const failure = await page.evaluate(() =>
      (globalThis as unknown as { ganvas: { call(n: string, i: unknown): Promise<unknown> } }).ganvas
        .call('documentInfo', { docId: 'doc-404' })
        .catch((e: { code: string; message: string }) => [e.code, e.message]),
    );
    expect(failure).toEqual(['NOT_FOUND', 'No open document "doc-404".']);
  });

  it('the Models window lists every model with its state and lets the user remove a downloaded one', async () => {
    await page.getByRole('button', { name: 'Models…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Models' });
    await expect.poll(() => dialog.getByTestId('model-realesr-general-x4v3').textContent()).toMatch(/Comes with Ganvas/);
    await expect.poll(() => dialog.getByTestId('model-migan-pipeline-v2').textContent()).toMatch(/Installed/);
    // Erase ran on MI-GAN since it was installed: the window says what its network runs on, and which GPU there is.
    await expect.poll(() => dialog.getByTestId('runs-on-migan-pipeline-v2').textContent()).toMatch(/runs on CPU/);
    await expect.poll(() => dialog.getByTestId('gpu').textContent()).toMatch(/GPU: .*networks run on CPU/s);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'models-window.png') });
    // The list is longer than the window: its scrollbar is wide enough to grab.
    const scroll = await page.locator('.dialog').evaluate((el) => ({ bar: el.offsetWidth - el.clientWidth, scrolls: el.scrollHeight > el.clientHeight }));
    expect(scroll).toEqual({ bar: expect.any(Number), scrolls: true });
    expect(scroll.bar).toBeGreaterThanOrEqual(10);
    expect(await dialog.getByTestId('model-realesr-general-x4v3').getByRole('button', { name: 'Remove' }).count()).toBe(0);
    await dialog.getByTestId('model-migan-pipeline-v2').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => dialog.getByTestId('model-migan-pipeline-v2').textContent()).toMatch(/Not installed/);
    await expect.poll(() => dialog.getByTestId('model-migan-pipeline-v2').getByRole('button', { name: 'Download' }).count()).toBe(1);
    await page.keyboard.press('Escape');
  });

  it('Settings offers every provider, says why one cannot run here, and keeps the choice', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const select = dialog.getByRole('combobox', { name: 'Execution provider' });
    expect(await select.locator('option').allTextContents()).toEqual(
      expect.arrayContaining([
        'Auto',
        'CPU',
        expect.stringMatching(/^CUDA/),
        expect.stringMatching(/^DirectML/),
        expect.stringMatching(/^CoreML/),
        expect.stringMatching(/^WebGPU/),
      ]),
    );
    await select.selectOption('dml');
    await expect.poll(() => dialog.getByTestId('provider-note').textContent()).toMatch(/DirectML: DirectML is only available on Windows/);
    await select.selectOption('cpu');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => engine.getSettings().provider).toBe('cpu');
  });
});
