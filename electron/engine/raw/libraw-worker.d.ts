/** libraw-wasm's worker script: importing it installs `onmessage` on the global scope. */
declare module 'libraw-wasm/dist/worker.js';
