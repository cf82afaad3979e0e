import { describeAdapter } from '../../inference/gpu-adapter.js';
import { appVersion } from '../../paths.js';
import { type Command, common, type Flag, parse, withEngine } from '../shared.js';

const flags = { ...common } as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values } = parse(args, flags);
  return withEngine(values, async (engine) => {
    const report = await engine.doctor();
    process.stdout.write(`Ganvas ${appVersion} on ${process.platform}/${process.arch}, Node ${process.version}\n`);
    const { providers } = report;
    process.stdout.write(`GPU for WebGPU: ${providers.adapter ? describeAdapter(providers.adapter) : 'none found'}\n`);
    process.stdout.write(`Execution providers (${providers.preferred === 'auto' ? 'Auto' : `${providers.preferred} chosen`}), in the order tried:\n`);
    for (const c of providers.checks) process.stdout.write(`  ${c.available ? 'yes' : 'no '}  ${c.id.padEnd(7)} ${c.reason}\n`);
    for (const f of providers.knownFallbacks) process.stdout.write(`  ${f.modelId}${f.device ? ` (${f.device})` : ''}: ${f.reason}\n`);
    process.stdout.write(`Models folder: ${report.modelsDir}\n`);
    for (const m of report.models) process.stdout.write(`  ${m.state.padEnd(11)} ${m.id.padEnd(24)} ${m.detail}\n`);
    return 0;
  });
}

export const doctorCommand: Command = {
  name: 'doctor',
  forms: [''],
  about: 'Execution providers (and why not), and the state of every model.',
  flags,
  run,
};
