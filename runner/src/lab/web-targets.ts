/**
 * The targets as the storefront's architecture toggle and its browser test know them, generated from
 * docker-compose.yml's x-lab-targets (the only list) into implementations/web/ui/src/targets.gen.json by
 * `npm run gen:web-targets` (`./lab targets --json`); a test fails when the committed file drifts from compose.
 */
import type { LabCompose } from './compose.js';

export const WEB_TARGETS_FILE = 'implementations/web/ui/src/targets.gen.json';

export interface WebTarget {
  id: string;
  label: string;
  port: number;
  url: string;
  summary: string;
}

export function webTargets(c: LabCompose): WebTarget[] {
  return c.targets.map((t) => ({
    id: t.name,
    label: t.label ?? t.name,
    port: Number(new URL(t.url).port),
    url: t.url,
    summary: t.summary ?? '',
  }));
}

/** The generated file's exact text. */
export function renderWebTargets(c: LabCompose): string {
  return `${JSON.stringify(webTargets(c), null, 2)}\n`;
}
