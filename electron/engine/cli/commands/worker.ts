import { startFarmWorker } from '../../farm/worker.js';
import { deviceName } from '../../inference/providers.js';
import { type Command, common, type Flag, intOption, parse, UsageError, withEngine } from '../shared.js';

const flags = {
  ...common,
  queue: { type: 'string', hint: 'redis://host:6379/0', help: 'the farm’s Redis (rediss:// for TLS; user and password in the URL)' },
  concurrency: { type: 'string', default: '1', hint: 'N', help: 'files at once on this machine' },
  name: { type: 'string', hint: '<name>', help: 'how this worker is listed (default: host-pid)' },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values } = parse(args, flags);
  if (!values.queue) throw new UsageError('worker needs --queue redis://host:6379/0');
  const url = values.queue;
  return withEngine(values, async (engine) => {
    const providers = await engine.doctor().then((d) => d.providers);
    const provider = deviceName(providers.checks.find((c) => c.available)?.id ?? 'cpu', providers.adapter);
    const worker = await startFarmWorker(engine.batches.services, {
      url,
      name: values.name,
      concurrency: intOption(values.concurrency, 'concurrency', { min: 1, max: 64 }) ?? 1,
      provider,
      lockMs: intOption(process.env.GANVAS_FARM_LOCK_MS, 'GANVAS_FARM_LOCK_MS', { min: 1000, max: 600_000 }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    // Ctrl+C finishes the files in hand; a second one hands them back to the queue for another worker.
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => {
        process.stderr.write('Stopping: finishing the files in hand (Ctrl+C again hands them back)…\n');
        process.once('SIGINT', () => void worker.close(true).then(resolve));
        void worker.close().then(resolve);
      });
      process.once('SIGTERM', () => void worker.close().then(resolve));
    });
    return 0;
  });
}

export const workerCommand: Command = {
  name: 'worker',
  forms: ['--queue redis://host:6379/0'],
  about: 'Joins a render farm: takes files of batches submitted with `ganvas batch … --queue` and runs their recipes on this machine.',
  flags,
  run,
};
