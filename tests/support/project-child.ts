/**
 * A separate process the integration tests kill with SIGKILL: it must die mid-save or right
 * after an autosave, the way a crash or a power cut would. Run from dist/ after `npm run build`.
 *   node project-child.js save-loop <project>        saves the project over and over, growing it
 *   node project-child.js autosave <photo> <dataDir> edits, autosaves, prints digests, waits
 */
import { Engine } from '../../electron/engine/engine.js';
import { digest } from './rasters.js';

const [mode, file, dataDir] = process.argv.slice(2);

async function saveLoop(project: string) {
  const engine = new Engine({ provider: 'cpu' });
  const doc = await engine.open(project);
  for (let i = 0; ; i++) {
    await engine.document(doc.id).addLayer({ kind: 'duplicate', layerId: doc.layers[0]!.id });
    process.stdout.write(`saving ${i}\n`);
    await engine.document(doc.id).saveProject(project);
  }
}

async function autosave(photo: string, data: string) {
  const engine = new Engine({ provider: 'cpu', dataDir: data });
  const info = await engine.open(photo);
  const withLayer = await engine.document(info.id).addLayer({ kind: 'duplicate', layerId: info.layers[0]!.id });
  const top = withLayer.layers[1]!.id;
  await engine.document(info.id).apply('setLayerProps', top, { blend: 'multiply', opacity: 0.6 });
  await engine.document(info.id).apply('paintMask', top, {
    points: [
      [20, 20],
      [120, 90],
    ],
    radius: 15,
    hardness: 0.7,
    value: 0,
    opacity: 1,
  });
  await engine.document(info.id).autosave();
  const doc = engine.document(info.id).doc;
  process.stdout.write(
    `${JSON.stringify({ layers: doc.layers.map((l) => [l.props, digest(l.raster), digest(l.mask)]), render: digest(await doc.render()) })}\n`,
  );
  setInterval(() => {}, 1000);
}

if (mode === 'save-loop') await saveLoop(file!);
else if (mode === 'autosave') await autosave(file!, dataDir!);
else throw new Error(`unknown mode ${mode}`);
