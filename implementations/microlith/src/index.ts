// The microlith target as a library: micro's services composed in one process (app.ts) over in-process ports
// (local.ts).
export { createMicrolith, DEFAULT_PORT, type Microlith, TARGET } from './app.js';
export { LocalService, type LocalServices, localOrdersBackend, localPorts } from './local.js';
