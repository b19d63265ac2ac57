import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where the lab keeps its native state: everything under <repo>/.lab (git-ignored). */
export class LabPaths {
  constructor(readonly root: string) {}
  get lab(): string {
    return join(this.root, '.lab');
  }
  get tools(): string {
    return join(this.lab, 'tools');
  }
  data(service: string): string {
    return join(this.lab, 'data', service);
  }
  run(service: string): string {
    return join(this.lab, 'run', service);
  }
  log(service: string): string {
    return join(this.lab, 'logs', `${service}.log`);
  }
  get stateDir(): string {
    return join(this.lab, 'state');
  }
  state(profile: string): string {
    return join(this.stateDir, `${profile}.json`);
  }
}

export interface ServiceState {
  pid: number;
  /** The process's start time from /proc/<pid>/stat (see pid.ts): the PID is ours only while it matches. */
  pidStartTime?: string | null;
  /** cgroup path relative to the hierarchy root, or null when started with --no-limits. */
  cgroup: string | null;
  startedAt: string;
  command: string[];
  log: string;
  memLimitBytes: number | null;
  sut: boolean;
}

export interface ProfileState {
  profile: string;
  startedAt: string;
  limited: boolean;
  cgroupVersion: 1 | 2 | null;
  /** cgroup path of the profile's parent group. */
  cgroup: string | null;
  services: Record<string, ServiceState>;
}

export function readState(paths: LabPaths, profile: string): ProfileState | null {
  try {
    return JSON.parse(readFileSync(paths.state(profile), 'utf8')) as ProfileState;
  } catch {
    return null;
  }
}

export function listStates(paths: LabPaths): ProfileState[] {
  if (!existsSync(paths.stateDir)) return [];
  return readdirSync(paths.stateDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readState(paths, f.slice(0, -5)))
    .filter((s): s is ProfileState => s !== null);
}

export function removeState(paths: LabPaths, profile: string): void {
  rmSync(paths.state(profile), { force: true });
}
