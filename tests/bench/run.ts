/**
 * npm run bench: prints a table. Ratios come from one run on one machine; the absolute numbers
 * move with the machine's load. BENCH_ONLY=enhance, document, erase (Erase and Extend), style, lowlight, batch, farm or view runs one part.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import globalSetup from '../support/global-setup.js';
import { batchBench } from './batch.js';
import { documentBench } from './document.js';
import { enhanceBench } from './enhance.js';
import { eraseBench } from './erase.js';
import { farmBench } from './farm.js';
import { lowlightBench } from './lowlight.js';
import { printTable } from './measure.js';
import { styleBench } from './style.js';
import { viewBench } from './view.js';

/** What the CLI's first line (`#!/usr/bin/env -S NAME=value … node`) sets: the bench runs the engine as the CLI does. */
const cliEnvironment = Object.fromEntries(
  [...(readFileSync(join(repoRoot, 'electron', 'engine', 'cli', 'main.ts'), 'utf8').split('\n')[0] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
);
if (Object.entries(cliEnvironment).some(([name, value]) => process.env[name] !== value)) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...cliEnvironment } });
  process.exit(again.status ?? 1);
}

const parts = {
  enhance: enhanceBench,
  document: documentBench,
  erase: eraseBench,
  style: styleBench,
  lowlight: lowlightBench,
  batch: batchBench,
  farm: farmBench,
  view: viewBench,
};
const only = process.env.BENCH_ONLY;
if (only && !(only in parts)) {
  console.error(`BENCH_ONLY=${only} names no part of the bench; the parts are ${Object.keys(parts).join(', ')} (Extend's rows are in erase).`);
  process.exit(2);
}
await globalSetup();
for (const [name, bench] of Object.entries(parts)) if (!only || only === name) await bench();
printTable();
