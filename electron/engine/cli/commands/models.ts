import { resolve } from 'node:path';
import type { Engine } from '../../engine.js';
import { errorMessage } from '../../errors.js';
import { installFromUrl, type InstallProgress } from '../../models/install.js';
import { CUSTOM_MODEL_TASKS, type CustomModelTask } from '../../models/tasks.js';
import { progressBar } from '../progress-bar.js';
import { type Command, common, type Flag, parse, UsageError, withEngine } from '../shared.js';

const flags = {
  ...common,
  from: { type: 'string', hint: '<folder>', help: 'install from this folder (a mirror, or where a downloaded file is)' },
  url: { type: 'string', hint: '<url>', help: 'install from this address' },
  sha256: { type: 'string', hint: '<hash>', help: 'the hash you trust, for a model the catalog has none for' },
  verify: { type: 'boolean', default: false, help: 'with list: check every sha256' },
  task: { type: 'string', hint: 'superres|lowlight|inpaint', help: 'with add: which tool the model is for' },
  name: { type: 'string', hint: '<name>', help: 'with add: what to call it' },
} as const satisfies Record<string, Flag>;

/** A download's progress on the terminal: MB done of the total, speed and time left. */
function downloadBar(): { update: (p: InstallProgress) => void; end: () => void } {
  const bar = progressBar();
  return {
    update: (p) =>
      bar.update({
        done: Math.round(p.bytesDone / 1e6),
        total: Math.round((p.bytesTotal ?? 0) / 1e6),
        unit: 'MB',
        message: '',
        note: p.bytesPerSecond ? ` at ${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s` : '',
        etaSeconds: p.etaSeconds,
      }),
    end: () => bar.end(),
  };
}

/** `models install`: from a folder, from a URL, or (with neither) from each model's catalog URL. */
async function installModels(
  engine: Engine,
  ids: string[],
  values: { from?: string | undefined; url?: string | undefined; sha256?: string | undefined },
): Promise<number> {
  const { store } = engine;
  if (values.from && values.url) throw new UsageError('Give either --from <folder> or --url <url>, not both.');
  const chosen = ids.map((id) => store.model(id));
  if (values.from) {
    const { installed, failed } = await engine.models.installFromFolder(resolve(values.from), ids);
    for (const id of installed) process.stdout.write(`installed  ${id} -> ${store.targetPath(store.model(id))}\n`);
    for (const f of failed) process.stderr.write(`failed     ${f.id}: ${f.reason}\n`);
    return failed.length > 0 ? 1 : 0;
  }
  if (chosen.length === 0) throw new UsageError('models install needs the ids of the models to install (see `ganvas models list`), or --from <folder>.');
  if (values.url) {
    if (chosen.length !== 1) throw new UsageError('models install --url installs one model: name its id.');
    const bar = downloadBar();
    await installFromUrl(store, chosen[0]!, values.url, { ...(values.sha256 ? { sha256: values.sha256 } : {}), onProgress: bar.update });
    bar.end();
    process.stdout.write(`installed  ${chosen[0]!.id} -> ${store.targetPath(chosen[0]!)}\n`);
    return 0;
  }
  let failed = 0;
  for (const m of chosen) {
    if (store.locate(m)) {
      process.stdout.write(`present    ${m.id} (${store.isBundled(store.locate(m)!) ? 'comes with Ganvas' : 'already installed'})\n`);
      continue;
    }
    if (!m.url) {
      failed++;
      process.stderr.write(`failed     ${m.id}: no download location is known. ${store.installHint(m)}\n`);
      continue;
    }
    const bar = downloadBar();
    const off = engine.onEvent((e) => e.type === 'model-progress' && e.progress.id === m.id && bar.update(e.progress));
    const cancel = () => engine.models.cancelDownload(m.id);
    process.once('SIGINT', cancel);
    try {
      await engine.models.download(m.id).done;
      process.stdout.write(`installed  ${m.id} -> ${store.targetPath(m)}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`failed     ${m.id}: ${errorMessage(err)}\n`);
    } finally {
      bar.end();
      off();
      process.off('SIGINT', cancel);
    }
  }
  return failed > 0 ? 1 : 0;
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, flags);
  return withEngine(values, async (engine) => {
    const { store } = engine;
    switch (sub) {
      case 'list':
      case 'verify': {
        const verify = sub === 'verify' || values.verify === true;
        const ids = new Set(positionals.map((id) => store.model(id).id));
        const list = (await engine.models.list(undefined, verify)).filter((m) => ids.size === 0 || ids.has(m.id));
        let bad = 0;
        process.stdout.write(`Models folder: ${store.dir}\n`);
        for (const m of list) {
          if (sub === 'verify' && m.state !== 'installed' && m.state !== 'bundled') bad++;
          const size = m.bytes === null ? 'size unknown' : m.bytes < 1e6 ? `${Math.ceil(m.bytes / 1e3)} KB` : `${(m.bytes / 1e6).toFixed(1)} MB`;
          process.stdout.write(`${m.state.padEnd(11)} ${m.id.padEnd(26)} ${m.displayName} — ${size}, ${m.licence}; for ${m.usedBy.join(', ')}; ${m.detail}\n`);
          if (m.state === 'missing' || m.state === 'corrupt') process.stdout.write(`            ${store.installHint(store.model(m.id))}\n`);
        }
        return bad > 0 ? 1 : 0;
      }
      case 'install':
        return await installModels(engine, positionals, values);
      case 'remove': {
        if (positionals.length !== 1) throw new UsageError('models remove takes one model id.');
        await engine.models.remove(positionals[0]!);
        process.stdout.write(`removed    ${positionals[0]}\n`);
        return 0;
      }
      case 'add': {
        const task = values.task as CustomModelTask | undefined;
        if (!task || !Object.hasOwn(CUSTOM_MODEL_TASKS, task)) throw new UsageError(`models add needs --task ${Object.keys(CUSTOM_MODEL_TASKS).join('|')}.`);
        if (positionals.length !== 1 || !values.name) throw new UsageError('models add takes one ONNX file and --name <name>.');
        const added = await engine.models.addCustom(task, resolve(positionals[0]!), values.name);
        process.stdout.write(`added      ${added.id} (${added.displayName}) for ${added.usedBy.join(', ')}\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown models command "${sub ?? ''}": use list, install, verify, remove or add.`);
    }
  });
}

export const modelsCommand: Command = {
  name: 'models',
  forms: [
    'list [--verify]',
    "install <id>…            (downloads from the catalog's URL)",
    'install [<id>…] --from <folder>',
    'install <id> --url <url> [--sha256 <hash>]',
    'verify [<id>…]',
    'remove <id>',
    'add <model.onnx> --task superres|lowlight|inpaint --name <name>',
  ],
  about: 'Lists, installs, verifies, removes the models, and adds your own ONNX.',
  flags,
  run,
};
