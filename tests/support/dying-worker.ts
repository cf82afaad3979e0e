/**
 * The real inference worker, except that a job whose params say `die: true` ends the thread at
 * once, as a crash inside a native library would: for testing how the job host survives its
 * worker's death. (The real worker is still loading the model when this listener exits.)
 */
import { parentPort } from 'node:worker_threads';
import '../../electron/engine/jobs/worker.js';

parentPort!.on('message', (msg: { type: string; params?: { die?: boolean } }) => {
  if (msg.type === 'run' && msg.params?.die === true) process.exit(7);
});
