/**
 * The runner's side of scenario 09: starts the injector (once, in lab/injector/toxiproxy), gives `./lab up` the
 * routes of a target's hops, and sets each step's latency. A target without internal hops (Harper) gets no routes
 * and runs as it always does.
 */
import { resolveProfile } from '../lab/compose.js';
import type { Lab } from '../lab/launcher.js';
import { ensureTool, type ToolContext } from '../lab/tools.js';
import { findHops, ROUTES_VAR, upstreams } from '../lab/hop-routes.js';
import { Injector } from './injector.js';

export class HopInjection {
  /** One injector per run, however many targets ask for routes (and even if two ask at once). */
  private injector: Promise<Injector> | null = null;

  constructor(
    private readonly lab: Lab,
    private readonly tools: ToolContext,
  ) {}

  /** The environment `./lab up <profile>` needs for every internal hop to go through a proxy ({} if none). */
  async envFor(profile: string): Promise<Record<string, string>> {
    const hops = upstreams(findHops(resolveProfile(this.lab.compose, profile)));
    if (hops.length === 0) return {};
    this.injector ??= ensureTool('toxiproxy', this.tools).then((tool) =>
      Injector.start(tool.path, (argv) => this.lab.spawnInCgroup('injector', 'toxiproxy', argv)),
    );
    const injector = await this.injector.catch((e: unknown) => {
      this.injector = null; // the next target may try again
      throw e;
    });
    return { [ROUTES_VAR]: JSON.stringify(await injector.route(hops)) };
  }

  /** Every proxy's added round-trip latency for the next step; nothing to do when no hop is routed. */
  async setLatency(ms: number): Promise<void> {
    await (await this.injector)?.setLatency(ms);
  }

  async stop(): Promise<void> {
    const injector = await this.injector?.catch(() => null);
    this.injector = null;
    await injector?.stop();
    await this.lab.releaseOneshot('injector', 'toxiproxy');
  }
}
