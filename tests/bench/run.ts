/**
 * npm run bench: prints a table. Ratios come from one run on one machine; the absolute numbers
 * move with the machine's load. BENCH_ONLY=enhance, document, erase, style, lowlight, batch, farm or view runs one part.
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

const only = process.env.BENCH_ONLY;
await globalSetup();
if (!only || only === 'enhance') await enhanceBench();
if (!only || only === 'document') await documentBench();
if (!only || only === 'erase') await eraseBench();
if (!only || only === 'style') await styleBench();
if (!only || only === 'lowlight') await lowlightBench();
if (!only || only === 'batch') await batchBench();
if (!only || only === 'farm') await farmBench();
if (!only || only === 'view') await viewBench();
printTable();
