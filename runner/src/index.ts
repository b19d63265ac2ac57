export { LabPaths } from './lab/paths.js';
export { findTool, type ToolInfo } from './lab/tools.js';
export { fetchJson, freePort } from './lib/net.js';
export { renderReport } from './verify/report.js';
export { SpecValidator } from './verify/spec-validator.js';
export { type CheckResult, type VerifyOptions, type VerifyReport, verifyTarget } from './verify/verify.js';
export { type FuzzOptions, type FuzzStep, fuzzTarget, schemathesisCli } from './verify/fuzz.js';
export { probeBigOrder, probeRobustness } from './verify/probes.js';
