import { testEngine } from './dist/tests/support/engine.js';
import { openImage } from './dist/electron/engine/images/open.js';
import { meanLuma } from './dist/electron/engine/tools/lowlight.js';
import sharp from 'sharp';
const e = testEngine();
const psnr = (a, b) => { let se = 0; for (let i = 0; i < a.data.length; i++) se += (a.data[i] - b.data[i]) ** 2; return 10 * Math.log10(65025 / (se / a.data.length)); };
const s2l = (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4), l2s = (v) => (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055);
for (const name of ['astronaut.png', 'coffee.png']) {
  const { raster: o } = await openImage(`../shared/photos/${name}`);
  const dark = Buffer.alloc(o.width * o.height * 3);
  for (let p = 0; p < o.width * o.height; p++) for (let c = 0; c < 3; c++) dark[p * 3 + c] = Math.round(l2s(s2l(o.data[p * o.channels + c] / 255) * 0.12) * 255);
  await sharp(dark, { raw: { width: o.width, height: o.height, channels: 3 } }).png().toFile('/tmp/dark.png');
  for (const params of [{}, { protectHighlights: false }, { model: 'sci_easy' }, { model: 'sci_medium' }, { model: 'sci_difficult' }]) {
    const d = await e.open('/tmp/dark.png');
    await e.waitFor(e.runTool(d.id, d.layers[0].id, 'lowlight', params));
    const r = e.doc(d.id).layers.at(-1).raster;
    console.log(name, JSON.stringify(params), psnr(r, o).toFixed(2), 'mean', meanLuma(r).toFixed(3), 'orig mean', meanLuma(o).toFixed(3));
  }
}
for (const n of ['lime_1.png', 'dicm_01.jpg', 'dicm_12.jpg']) {
  const { raster } = await openImage(`../shared/photos/lowlight/${n}`);
  let clip = 0; for (let p = 0; p < raster.width * raster.height; p++) if (raster.data[p*3] >= 255 || raster.data[p*3+1] >= 255 || raster.data[p*3+2] >= 255) clip++;
  console.log(n, 'mean', meanLuma(raster).toFixed(3), 'input clipped', (clip / raster.width / raster.height).toFixed(4));
}
await e.dispose();
