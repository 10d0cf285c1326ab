// The connector's DSP 2025-1 HTTP bindings (messages/ holds the message layer they use).
export { createDspBindings, type DspMount } from './router.js';
export { dspErrorHandler, fromProcessError } from './errors.js';
