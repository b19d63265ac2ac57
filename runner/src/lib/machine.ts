import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /**
   * Family, model, stepping, clock and last-level cache: virtual machines name their CPU "AMD EPYC" whatever the
   * generation underneath. Absent in runs before 2026-12-07.
   */
  cpu?: string;
  /**
   * This boot of this machine (/proc/sys/kernel/random/boot_id). Two sessions of a run with different ids ran on
   * different machines (or boots), whose costs need not match even where the speed probe does (docs/methodology.md,
   * "Machines and slow episodes"). Absent in runs before 2026-12-07.
   */
  bootId?: string;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** "family 25, model 1, stepping 1, 2445 MHz, L3 32 MiB" from the first processor of /proc/cpuinfo and sysfs. */
export function cpuIdentity(cpuinfo: string | null, l3: string | null): string | undefined {
  if (!cpuinfo) return undefined;
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | undefined =>
    first.match(new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm'))?.[1]?.trim();
  const parts = [
    ['family', field('cpu family')],
    ['model', field('model')],
    ['stepping', field('stepping')],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`);
  const mhz = field('cpu MHz');
  if (mhz) parts.push(`${Math.round(Number(mhz))} MHz`);
  const kib = l3?.match(/^(\d+)K$/)?.[1];
  if (kib) parts.push(`L3 ${Number(kib) >= 1024 ? `${Number(kib) / 1024} MiB` : `${kib} KiB`}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** This boot's id, or undefined where the kernel does not say (not Linux). */
export function bootId(): string | undefined {
  return read('/proc/sys/kernel/random/boot_id') ?? undefined;
}

/** What a published number must name: the hardware and runtime it was measured on. */
export function machineInfo(): MachineInfo {
  const cpu = cpuIdentity(read('/proc/cpuinfo'), read('/sys/devices/system/cpu/cpu0/cache/index3/size'));
  const boot = bootId();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    kernel: read('/proc/sys/kernel/osrelease') ?? process.platform,
    ...(cpu ? { cpu } : {}),
    ...(boot ? { bootId: boot } : {}),
  };
}

export function describeMachine(m: MachineInfo): string {
  const cpu = m.cpu ? ` (${m.cpu})` : '';
  const boot = m.bootId ? `, boot ${m.bootId.slice(0, 8)}` : '';
  return `${m.cpuModel}${cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}${boot}`;
}
