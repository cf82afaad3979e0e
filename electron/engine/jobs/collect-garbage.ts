import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `--expose-gc` cannot be passed to a worker thread or to Electron's main process: the flag is set
// at run time and `gc` read from a context made after it.
setFlagsFromString('--expose-gc');

/**
 * A full collection. A finished job's tiles and buffers are freed only when V8 collects their
 * wrappers, and with nothing more allocated that may not happen until the next job: 2 GB of
 * dropped arrays stayed resident after 5 s here, and were gone 0.5 s after this.
 */
export const collectGarbage = runInNewContext('gc') as () => void;
