/**
 * What the resilience commands (10 faults, 11 cold-start, 12 scale) share around their own loops: the usage error
 * and exit codes, finding the target, and finishing a run whatever happens (manifest saved, summary written, the
 * target brought down).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { LabTarget } from '../lab/compose.js';
import type { Lab } from '../lab/launcher.js';
import { Supervisor } from '../lab/supervisor.js';
import { Interrupted, interruptible } from '../benchmark/errors.js';
import { UsageError } from '../scenarios/plan.js';
import { newManifest, type ResilienceManifest, saveManifest } from './manifest.js';
import { writeResilienceSummary } from './summary.js';

// One kind of usage error for every command, the benchmark's included: its message is the whole answer (exit 2).
export { positiveInt, UsageError } from '../scenarios/plan.js';

/** Runs a command's main: a usage error prints its message and exits 2, any other error `<name>: …` and 1. */
export function runCommand(name: string, main: () => Promise<void>): void {
  main().catch((e: Error) => {
    process.stderr.write(`${e instanceof UsageError ? e.message : `${name}: ${e.message}`}\n`);
    process.exit(e instanceof UsageError ? 2 : e instanceof Interrupted ? 130 : 1);
  });
}

/** The options every resilience command takes besides its own. */
const COMMON_OPTIONS = {
  'run-id': { type: 'string' },
  'results-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type CommandOptions = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof COMMON_OPTIONS }>
>;

/**
 * A command line of one target, its own `options` and the common ones; --help, no target or two print the usage
 * (exit 2), as does an unknown option.
 */
export function parseTargetCommand<O extends CommandOptions>(
  argv: string[],
  usage: string,
  options: O,
): { values: Parsed<O>['values']; target: string; runId: string | null; resultsDir: string | null } {
  const { values, positionals }: Parsed<O> = usageOnParseError(usage, () =>
    parseArgs({ args: argv, allowPositionals: true, options: { ...options, ...COMMON_OPTIONS } }),
  );
  const common = values as { help?: boolean; 'run-id'?: string; 'results-dir'?: string };
  if (common.help || positionals.length !== 1) throw new UsageError(usage);
  return {
    values,
    target: positionals[0]!,
    runId: common['run-id'] ?? null,
    resultsDir: common['results-dir'] ?? null,
  };
}

/** parseArgs's own errors (an unknown option, a missing value) are usage errors, followed by the usage. */
function usageOnParseError<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw code.startsWith('ERR_PARSE_ARGS') ? new UsageError(`${(e as Error).message}\n${usage}`) : e;
  }
}

/** A comma-separated option whose every item must be one of `allowed`. */
export function listOption<T extends string>(option: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',');
  for (const x of items)
    if (!(allowed as readonly string[]).includes(x))
      throw new UsageError(`--${option}: ${allowed.join(' or ')}, not ${x}`);
  return items as T[];
}

/**
 * A new run: its directory, created — <results>/<run id>, the id `<utc time>-<command>-<target>` unless one is
 * given — and its manifest, `running`, with the options the command was run with.
 */
export function startRun(o: {
  root: string;
  lab: Lab;
  /** `faults`, `cold-start`, `scale`: names the run and heads the command line the manifest records. */
  command: string;
  scenario: string;
  target: LabTarget;
  resultsDir: string | null;
  runId: string | null;
  options: Record<string, unknown>;
}): { runDir: string; manifest: ResilienceManifest } {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const runDir = join(
    o.resultsDir ?? join(o.root, 'results'),
    o.runId ?? `${stamp}-${o.command}-${o.target.name}`,
  );
  mkdirSync(runDir, { recursive: true });
  const { root, lab, scenario, target, options } = o;
  return {
    runDir,
    manifest: newManifest({ root, lab, runDir, scenario, target, subcommand: o.command, options }),
  };
}

export function findTarget(lab: Lab, name: string): LabTarget {
  const target = lab.compose.targets.find((t) => t.name === name);
  if (!target)
    throw new UsageError(
      `unknown target ${name} (targets: ${lab.compose.targets.map((t) => t.name).join(', ')})`,
    );
  return target;
}

export interface Finishing {
  lab: Lab;
  profile: string;
  runDir: string;
  manifest: ResilienceManifest;
  log: (line: string) => void;
  /** The manifest's reason when some repetitions failed (default: none). */
  failedReason?: (failures: number) => string;
}

/**
 * Runs the command's loop; then the manifest is complete (incomplete when repetitions failed, or with the error
 * or signal that stopped the loop), saved with its end time, the run's summary written, every supervisor stopped
 * and the target's profile brought down — whatever happened. SIGINT/SIGTERM end the loop as Interrupted (exit 130).
 */
export async function finishing(f: Finishing, loop: () => Promise<void>): Promise<void> {
  const m = f.manifest;
  // Ctrl-C (or a SIGTERM) ends the loop at once; what it had written stays, and the target is brought down.
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => abort.abort(`interrupted by ${signal}`);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    await interruptible(loop(), abort.signal);
    m.status = m.failures.length ? 'incomplete' : 'complete';
    if (m.failures.length && f.failedReason) m.reason = f.failedReason(m.failures.length);
  } catch (e) {
    m.status = 'incomplete';
    m.reason = (e as Error).message;
    throw e;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    m.finishedAt = new Date().toISOString();
    saveManifest(f.runDir, m);
    writeResilienceSummary(f.runDir, m);
    // A supervisor still watching would restart what `down` stops.
    await Supervisor.stopAll();
    await f.lab.down(f.profile, { quiet: true });
    f.log(`results: ${f.runDir}`);
  }
}
