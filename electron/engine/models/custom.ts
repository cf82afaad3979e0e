import '../inference/no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tempPathBeside, writeFileAtomic } from '../atomic-file.js';
import { GanvasError, errorMessage } from '../errors.js';
import { checkReadableFile, describeFsError } from '../files.js';
import { customCatalogPath, isTensorContract, parseCatalog, type ModelEntry, type TensorContract } from './catalog.js';
import { TOOLS_BY_TASK } from '../tools/specs.js';
import { CUSTOM_MODEL_TASKS, type CustomModelTask } from './tasks.js';
import { sha256File } from './sha256.js';
import type { ModelStore } from './store.js';


/** The size a contract check runs the network at: small, and a multiple of what the task asks. */
function probeSize(c: TensorContract): [number, number] {
  if (c.fixedSize) return c.fixedSize;
  const side = Math.max(c.minSize, Math.ceil(32 / c.multipleOf) * c.multipleOf);
  return [side, side];
}

function probeTensor(spec: TensorContract['inputs'][number], c: TensorContract, [h, w]: [number, number]): ort.Tensor {
  const channels = spec.role === 'mask' ? 1 : 3;
  const n = channels * h * w;
  const value = spec.role === 'mask' ? (c.mask?.keep ?? 0) : 0.5;
  if (spec.dtype === 'uint8') return new ort.Tensor('uint8', new Uint8Array(n).fill(Math.round(value * (spec.range?.[1] === 255 ? 255 : 1))), [1, channels, h, w]);
  return new ort.Tensor('float32', new Float32Array(n).fill(value), [1, channels, h, w]);
}

/**
 * Checks an ONNX file against a task's contract: the same input and output names, element types
 * and ranks, and (by running it once on a small image) the same output size. Every mismatch is
 * named, so the user knows what to change in their export.
 */
async function checkAgainstContract(file: string, task: CustomModelTask, reference: TensorContract): Promise<void> {
  const name = basename(file);
  const tool = TOOLS_BY_TASK[task].join(' and ');
  let session: ort.InferenceSession;
  try {
    // From its bytes, as it will be once copied alone into the models folder: weights kept in a
    // separate file (ONNX external data) are not found, and the model is refused now, not at every use.
    session = await ort.InferenceSession.create(await readFile(file), { executionProviders: ['cpu'] });
  } catch (err) {
    if (/external data/i.test(errorMessage(err)))
      throw new GanvasError(
        'INVALID_INPUT',
        `${name} keeps its weights in a separate file (ONNX external data), and Ganvas takes a model as one file: save it with its weights inside (in Python: onnx.save(model, path, save_as_external_data=False)).`,
        { cause: err },
      );
    throw new GanvasError('INVALID_INPUT', `${name} is not an ONNX model ONNX Runtime can load (${errorMessage(err).split('\n')[0]}).`, { cause: err });
  }
  try {
    const problems: string[] = [];
    const compare = (kind: 'input' | 'output', have: readonly string[], want: TensorContract['inputs']) => {
      const wanted = want.map((t) => t.name);
      if (have.length !== wanted.length || have.some((n, i) => n !== wanted[i])) problems.push(`its ${kind}s are ${list(have)}; ${tool} models have ${list(wanted)}`);
    };
    compare('input', session.inputNames, reference.inputs);
    // Extra outputs (e.g. an illumination map) do no harm; the image the tool reads must be there.
    const image = reference.outputs.find((t) => t.role === 'image') ?? reference.outputs[0]!;
    if (!session.outputNames.includes(image.name)) problems.push(`its outputs are ${list(session.outputNames)}; ${tool} models have “${image.name}”`);
    if (problems.length === 0) {
      const metadata = session.inputMetadata;
      for (const [i, spec] of reference.inputs.entries()) {
        const m = metadata[i];
        if (m?.isTensor && m.type !== spec.dtype) problems.push(`input “${spec.name}” holds ${m.type}, not ${spec.dtype}`);
        if (m?.isTensor && m.shape.length !== spec.shape.length) problems.push(`input “${spec.name}” has ${m.shape.length} dimensions, not ${spec.shape.length}`);
      }
    }
    if (problems.length === 0) {
      const [h, w] = probeSize(reference);
      const feeds = Object.fromEntries(reference.inputs.map((spec) => [spec.name, probeTensor(spec, reference, [h, w])]));
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run(feeds);
      } catch (err) {
        throw new GanvasError('INVALID_INPUT', `${name} does not run on a ${w}×${h} image as ${tool} models do (${errorMessage(err).split('\n')[0]}).`, { cause: err });
      }
      const dims = out[image.name]?.dims ?? [];
      const scale = (reference.fixedSize ? 1 : reference.scale);
      const want = [1, 3, h * scale, w * scale];
      if (dims.length !== 4 || dims[1] !== 3 || dims[2] !== want[2] || dims[3] !== want[3]) {
        problems.push(`from a ${w}×${h} image its output “${image.name}” is [${dims.join(', ')}]; ${tool} needs [${want.join(', ')}]${scale > 1 ? ` (×${scale})` : ''}`);
      }
      if (out[image.name] && out[image.name]!.type !== image.dtype) problems.push(`output “${image.name}” holds ${out[image.name]!.type}, not ${image.dtype}`);
    }
    if (problems.length) throw new GanvasError('INVALID_INPUT', `${name} does not fit ${tool}: ${problems.join('; ')}.`);
  } finally {
    await session.release();
  }
}

const list = (names: readonly string[]) => (names.length ? names.map((n) => `“${n}”`).join(', ') : 'none');

/**
 * Adds the user's own ONNX model for a task: checked against the task's contract, copied into the
 * models folder and listed in its custom-models.json, so it appears in that tool's model list.
 */
export async function addCustomModel(store: ModelStore, task: CustomModelTask, file: string, displayName: string): Promise<ModelEntry> {
  await checkReadableFile(file, 'ONNX model');
  const reference = store.model(CUSTOM_MODEL_TASKS[task]);
  if (!isTensorContract(reference.contract)) throw new Error(`catalog model ${reference.id} has no tensor contract`);
  await checkAgainstContract(file, task, reference.contract);
  const slug = displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'model';
  const id = `custom-${task}-${slug}`;
  if (store.catalog.models.some((m) => m.id === id)) throw new GanvasError('INVALID_INPUT', `You already have a model named “${displayName}” for ${TOOLS_BY_TASK[task].join(' and ')}; choose another name.`);
  const fileName = `${id}.onnx`;
  const tmp = tempPathBeside(join(store.dir, fileName));
  try {
    await mkdir(store.dir, { recursive: true });
    await copyFile(file, tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new GanvasError('WRITE_FAILED', `${basename(file)} cannot be added to the models folder ${store.dir}: ${describeFsError(err, store.dir, true)}.`, { cause: err });
  }
  const entry: ModelEntry = {
    id,
    task,
    displayName,
    file: fileName,
    sha256: await sha256File(tmp),
    bytes: (await stat(tmp)).size,
    licence: 'yours (added from your own file)',
    source: `your file ${basename(file)}`,
    availability: 'custom',
    bundled: false,
    url: null,
    contract: reference.contract,
  };
  const listPath = customCatalogPath(store.dir);
  const existing = await readFile(listPath, 'utf8').then((t) => parseCatalog(JSON.parse(t), listPath).models, () => [] as ModelEntry[]);
  try {
    await rename(tmp, join(store.dir, fileName));
    await writeFileAtomic(listPath, JSON.stringify({ version: 1, models: [...existing, entry] }, null, 2));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err instanceof GanvasError
      ? err
      : new GanvasError('WRITE_FAILED', `${basename(file)} cannot be added to the models folder ${store.dir}: ${describeFsError(err, store.dir, true)}.`, { cause: err });
  }
  store.catalog.models.push(entry);
  return entry;
}

/** Takes a custom model out of the user's list (its file is removed by the caller). */
export async function forgetCustomModel(store: ModelStore, id: string): Promise<void> {
  const listPath = customCatalogPath(store.dir);
  const existing = await readFile(listPath, 'utf8').then((t) => parseCatalog(JSON.parse(t), listPath).models, () => [] as ModelEntry[]);
  await writeFileAtomic(listPath, JSON.stringify({ version: 1, models: existing.filter((m) => m.id !== id) }, null, 2));
  const at = store.catalog.models.findIndex((m) => m.id === id);
  if (at >= 0) store.catalog.models.splice(at, 1);
}
