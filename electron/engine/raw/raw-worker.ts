/**
 * Decodes one camera RAW file with LibRaw (libraw-wasm) on its own thread and answers with
 * 16-bit sRGB pixels. libraw-wasm is built for browsers, so this thread gives it what it expects
 * there: a worker scope, `fetch` for its .wasm file, `postMessage` for its replies.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { linearToSrgb } from '../images/colour.js';
import { allocRaster } from '../images/raster.js';
import type { RawRequest, RawReply } from './protocol.js';

type LibRawReply = { id: number; out?: unknown; error?: string };
const scope = globalThis as unknown as Record<string, unknown>;
scope.WorkerGlobalScope = class {};
scope.self = globalThis;
const webFetch = globalThis.fetch;
scope.fetch = async (url: string | URL, init?: RequestInit) =>
  String(url).startsWith('file:')
    ? new Response(await readFile(new URL(String(url))), { headers: { 'content-type': 'application/wasm' } })
    : webFetch(url, init);
let reply: (r: LibRawReply) => void = () => {};
scope.postMessage = (r: LibRawReply) => reply(r);
await import('libraw-wasm/dist/worker.js');
const onmessage = scope.onmessage as (e: { data: { id: number; fn: string; args: unknown[] } }) => Promise<void>;

let nextId = 0;
function call<T>(fn: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    reply = (r) => (r.error ? reject(new Error(r.error)) : resolve(r.out as T));
    void onmessage({ data: { id: nextId++, fn, args } });
  });
}

/** LibRaw's default output curve (BT.709: power 0.45, toe slope 4.5) undone: linear light. */
function bt709ToLinear(v: number): number {
  return v < 0.081 ? v / 4.5 : ((v + 0.099) / 1.099) ** (1 / 0.45);
}

async function decode(req: RawRequest): Promise<RawReply> {
  await call('open', new Uint8Array(await readFile(req.path)), {
    outputBps: 16,
    outputColor: 1, // sRGB primaries
    useCameraWb: true, // white balance as shot
    noAutoBright: true, // exposure as shot: dark stays dark, for Low light to lift
    userQual: 3, // AHD demosaicing
  });
  const meta = await call<{ width: number; height: number; camera_make?: string; camera_model?: string } | undefined>('metadata', false);
  if (!meta?.width || !meta.height) return { ok: false, code: 'IMAGE_UNREADABLE', message: 'it is not a RAW file LibRaw recognises' };
  if (meta.width * meta.height > req.pixelLimit) return { ok: false, code: 'IMAGE_TOO_LARGE', message: `${meta.width}×${meta.height} pixels` };
  const img = await call<{ width: number; height: number; colors: number; bits: number; data: Uint16Array } | undefined>('imageData');
  if (!img?.data) return { ok: false, code: 'IMAGE_UNREADABLE', message: 'LibRaw could not decode its pixels' };
  if (img.colors !== 3 || img.bits !== 16) return { ok: false, code: 'IMAGE_UNREADABLE', message: `LibRaw gave ${img.colors} colours at ${img.bits} bits` };
  // Through linear light (white-balanced, sRGB primaries) to sRGB's curve, kept at 16 bits.
  const lut = new Uint16Array(65536);
  for (let v = 0; v < 65536; v++) lut[v] = Math.round(linearToSrgb(bt709ToLinear(v / 65535)) * 65535);
  const raster = allocRaster(img.width, img.height, 3, 16);
  for (let i = 0; i < raster.data.length; i++) raster.data[i] = lut[img.data[i]!]!;
  return { ok: true, raster, camera: [meta.camera_make, meta.camera_model].filter(Boolean).join(' ').trim() };
}

const port = parentPort!;
port.on('message', (req: RawRequest) => {
  decode(req).then(
    (r) => port.postMessage(r),
    (err: unknown) => port.postMessage({ ok: false, code: 'IMAGE_UNREADABLE', message: err instanceof Error ? err.message : String(err) } satisfies RawReply),
  );
});
