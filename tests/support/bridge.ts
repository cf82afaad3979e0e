import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { expect } from 'vitest';
import type { AppEvent } from '../../electron/contract.js';
import type { Engine } from '../../electron/engine/engine.js';
import { RecentFiles } from '../../electron/engine/recent.js';
import { createHandlers, dispatch, reply, type Dialogs } from '../../electron/ipc/handlers.js';
import { scriptedDialogs } from './dialogs.js';
import { repoRoot } from './paths.js';

/** Where the page fetches the bytes of a reply or an event, and the key that stands for them there. */
const BYTES_PATH = '/__ganvas-bytes/';
const BYTES_KEY = '__ganvasBytes';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * Serves the vite-built renderer on 127.0.0.1, as Electron would load it from disk. Its CSP is
 * kept but for one path: the page may fetch the bridge's bytes (see `bridge`), which stand in for
 * what IPC hands over.
 */
async function serveRenderer(): Promise<{ url: string; close: () => Promise<void> }> {
  const root = join(repoRoot, 'dist', 'renderer');
  const server: Server = createServer(async (req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') || path === root ? join(root, 'index.html') : path;
    try {
      const read = await readFile(file);
      const body = file.endsWith('.html') ? read.toString('utf8').replace("connect-src 'none'", `connect-src http://${req.headers.host}${BYTES_PATH}`) : read;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    // Playwright hides scrollbars by default; the app's must be seen (and measured) as a user sees them.
    ignoreDefaultArgs: ['--hide-scrollbars'],
  });
}

/**
 * Gives the page the same window.ganvas API preload gives the app, wired to the real engine in
 * this process through the same handlers Electron's main process registers. Only the OS dialogs
 * are scripted.
 */
export async function bridge(page: Page, engine: Engine, dialogs: Dialogs, recent: string[] = []): Promise<{ handOver: (path: string) => Promise<void> }> {
  const { calls: handlers, openHandedOver } = createHandlers(engine, dialogs, new RecentFiles(null, recent));
  // Bytes (tiles, screen copies, Enhance's parts) are fetched by the page from a URL this process
  // answers, as Electron's IPC hands them over by structured clone: sent inside DevTools' text,
  // a 540 KB tile held the page's main thread for 48–83 ms while it was decoded, a stall the app
  // does not have (bench: the 50–67 ms pan frame at 100 % on 24 MP).
  const bytes = new Map<string, Uint8Array>();
  let nextBytes = 0;
  const pack = (value: unknown): unknown => {
    if (value instanceof Uint8Array) {
      const id = String(nextBytes++);
      bytes.set(id, value);
      return { [BYTES_KEY]: id };
    }
    if (Array.isArray(value)) return value.map(pack);
    if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pack(v)]));
    return value;
  };
  await page.route(`**${BYTES_PATH}*`, async (route) => {
    const id = new URL(route.request().url()).pathname.slice(BYTES_PATH.length);
    const body = bytes.get(id);
    bytes.delete(id);
    await (body
      ? route.fulfill({ body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: 'application/octet-stream' })
      : route.fulfill({ status: 404 }));
  });
  await page.exposeFunction('__ganvasCall', async (name: string, input: unknown) => pack(await reply(dispatch(handlers, name, input))));
  await page.addInitScript(
    ({ key, path }) => {
      const unpack = async (value: unknown): Promise<unknown> => {
        if (Array.isArray(value)) return Promise.all(value.map(unpack));
        if (!value || typeof value !== 'object') return value;
        const id = (value as Record<string, unknown>)[key];
        if (typeof id === 'string') return new Uint8Array(await (await fetch(path + id)).arrayBuffer());
        return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await unpack(v)])));
      };
      const listeners = new Set<(e: unknown) => void>();
      const w = globalThis as unknown as Record<string, unknown>;
      // Events keep their order while their bytes are fetched.
      let delivered = Promise.resolve();
      w.__ganvasEmit = (e: unknown) => {
        delivered = delivered.then(async () => {
          const event = await unpack(e);
          listeners.forEach((l) => l(event));
        });
      };
      w.ganvas = {
        // As preload does: the failure's code travels with its message.
        call: async (name: string, input: unknown) => {
          const r = (await unpack(await (w.__ganvasCall as (n: string, i: unknown) => Promise<unknown>)(name, input))) as
            { ok: unknown } | { error: { code: string; message: string; details?: string } };
          if ('error' in r) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
          return r.ok;
        },
        onEvent: (l: (e: unknown) => void) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        // A page's File has no path on disk here, as in any browser: preload's webUtils gives none either.
        openDroppedFile: async () => null,
      };
    },
    { key: BYTES_KEY, path: BYTES_PATH },
  );
  const emit = (e: AppEvent) => page.evaluate((ev) => (globalThis as unknown as { __ganvasEmit: (e: unknown) => void }).__ganvasEmit(ev), pack(e));
  engine.onEvent((e: AppEvent) => void emit(e).catch(() => {}));
  // As main does for a photo on the command line or from the OS's open-file (Lightroom's Edit in).
  return { handOver: async (path) => emit({ type: 'document-opened', doc: await openHandedOver(path) }) };
}

/**
 * The built renderer in Chromium at 1280×800, bridged to `engine`; `close` ends it all. Dialogs
 * not given are cancelled by the "user".
 */
export async function openApp(
  engine: Engine,
  dialogs: Partial<Dialogs>,
  recent: string[] = [],
): Promise<{ page: Page; close: () => Promise<void>; handOver: (path: string) => Promise<void> }> {
  const server = await serveRenderer();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const { handOver } = await bridge(page, engine, scriptedDialogs(dialogs), recent);
  await page.goto(server.url);
  return {
    page,
    handOver,
    close: async () => {
      await browser.close();
      await server.close();
      await engine.dispose();
    },
  };
}

/** The colour drawn on the canvas at a fraction of its box (Konva's first layer: the layers and overlays). */
export async function canvasPixel(page: Page, [fx, fy]: [number, number]): Promise<number[]> {
  return page.evaluate(
    ([x, y]) => {
      type Canvas = {
        width: number;
        getBoundingClientRect(): { width: number; height: number };
        getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const doc = (globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document;
      const c = doc.querySelector('[data-testid="canvas"] canvas') as Canvas;
      const r = c.getBoundingClientRect();
      const scale = c.width / r.width;
      return [...c.getContext('2d').getImageData(Math.round(x! * r.width * scale), Math.round(y! * r.height * scale), 1, 1).data];
    },
    [fx, fy],
  );
}

/** Clears Erase's marks and waits until the page no longer shows them: the engine forgets them a moment before the canvas is drawn without them. */
export async function clearMarks(page: Page, engine: Engine): Promise<void> {
  await page.getByRole('region', { name: 'Erase', exact: true }).getByRole('button', { name: 'Clear' }).click();
  await expect.poll(() => engine.documents()[0]!.hasSelection).toBe(false);
  await expect.poll(() => page.getByTestId('canvas').getAttribute('data-overlay')).toBe('none');
}
