#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node
// The line above: glibc otherwise raises its threshold for giving large blocks pages of their own to
// the size of the tile buffers a job frees, and then keeps what the job freed (Enhance ×2 of a
// 24 MP photo: 0.27 GiB above rest + result); fixed at its default, memory goes back to rest + the
// result. Other systems ignore the variable; npm's Windows shims set it too.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorMessage, GanvasError } from '../errors.js';
import { appVersion } from '../paths.js';
import { batchCommandFor } from './commands/batch.js';
import { doctorCommand } from './commands/doctor.js';
import { exportCommand } from './commands/export.js';
import { modelsCommand } from './commands/models.js';
import { projectCommand } from './commands/project.js';
import { workerCommand } from './commands/worker.js';
import { common, UsageError, type Command, type Flag } from './shared.js';
import { escapeControls } from './terminal.js';
import { TOOL_SPECS } from '../tools/specs.js';
import { toolCommand } from './tool-command.js';

export const COMMANDS: Command[] = [
  ...TOOL_SPECS.map(toolCommand),
  batchCommandFor(TOOL_SPECS),
  workerCommand,
  exportCommand,
  projectCommand,
  modelsCommand,
  doctorCommand,
];

const flagName = (name: string, f: Flag) => `${f.short ? `-${f.short}, ` : ''}--${name}${f.hint ? ` ${f.hint}` : ''}`;

/** The help, generated from each command's forms and flag table: it lists exactly what each command accepts. */
export function help(commands: readonly Command[] = COMMANDS): string {
  const lines = ['ganvas — GAN photo tools from the command line (the same engine as the app)', '', 'Usage:'];
  for (const c of commands) {
    for (const form of c.forms) lines.push(`  ganvas ${c.name}${form ? ` ${form}` : ''}`);
    if (c.aliases?.length) lines.push(`      (also \`ganvas ${c.aliases.join('`, `ganvas ')}\`, its name before)`);
    lines.push(`      ${c.about}`);
    const own = Object.entries(c.flags).filter(([name]) => !Object.hasOwn(common, name));
    const width = Math.max(0, ...own.map(([name, f]) => flagName(name, f).length));
    for (const [name, f] of own)
      lines.push(
        `      ${flagName(name, f).padEnd(width)}  ${f.help}${f.default !== undefined && f.default !== false && !Array.isArray(f.default) ? ` (default: ${String(f.default)})` : ''}`,
      );
  }
  lines.push('  ganvas --help | --version', '', 'Common options:');
  for (const [name, f] of Object.entries(common)) lines.push(`  ${flagName(name, f).padEnd(22)} ${f.help}`);
  lines.push(
    '',
    'Photos can be JPEG, PNG, WebP, TIFF, AVIF, GIF or camera RAW (DNG, ARW, CR2, CR3, NEF, RAF, ORF, RW2 …;',
    'decoded by LibRaw to 16-bit, white-balanced as shot, exposure as shot). EXIF, orientation and the ICC',
    'profile are kept. A failure ends with its code in brackets (e.g. [MODEL_MISSING]).',
    'Exit codes: 0 success, 1 the work failed, 2 bad usage, 130 cancelled.',
  );
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help' || rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${help()}\n`);
      return name ? 0 : 2;
    }
    if (name === '--version') {
      process.stdout.write(`${appVersion}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
    if (!command) throw new UsageError(`Unknown command "${name}". Run \`ganvas --help\` for the list.`);
    return await command.run(rest);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // The code is for scripts that react to a kind of failure (MODEL_MISSING, WRITE_FAILED, …).
    const code = err instanceof GanvasError ? ` [${err.code}]` : '';
    process.stderr.write(`ganvas: ${errorMessage(err)}${code}\n`);
    return usage ? 2 : 1;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  escapeControls(process.stdout);
  escapeControls(process.stderr);
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
