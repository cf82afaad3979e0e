/** Child process of gpuAdapter(): prints what probeHere() found as JSON on stdout. */
import { probeHere } from './gpu-adapter.js';

process.stdout.write(JSON.stringify(await probeHere()));
// Dawn keeps its instance alive; the answer is out.
process.exit(0);
