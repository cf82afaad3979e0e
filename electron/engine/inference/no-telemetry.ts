/**
 * ONNX Runtime's telemetry is on by default (DNS lookups of Microsoft's event service, a device-id
 * database under the home folder, a /tmp/mat-debug-<pid>.log per process). The native library
 * reads this variable when it loads, so every module that imports onnxruntime-node imports this
 * module first. Set on the process's main thread, it is in the environment worker threads see.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';
