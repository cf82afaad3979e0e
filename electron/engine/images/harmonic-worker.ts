/** Solves one smooth fill (harmonic.ts) on its own thread and answers with the pixels. */
import { parentPort, workerData } from 'node:worker_threads';
import { harmonicFill } from './harmonic.js';
import type { HarmonicRequest } from './harmonic-aside.js';

const { pixels, width, height, hole } = workerData as HarmonicRequest;
const filled = harmonicFill(pixels, width, height, hole);
parentPort!.postMessage(filled, [filled.buffer as ArrayBuffer]);
