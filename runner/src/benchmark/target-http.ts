/** The two HTTP calls the loop makes to a target besides the load: reset before each run, smoke after a restart. */
import { resetTarget } from '../lab/reset.js';
import { readJson } from '../lib/files.js';
import { TargetFailure } from './errors.js';

/** Reset the target's state (lab/reset.ts, as a running target: one that stops answering has died). */
export async function reset(baseUrl: string, token: string): Promise<void> {
  try {
    await resetTarget(baseUrl, token, 'running');
  } catch (e) {
    throw new TargetFailure((e as Error).message);
  }
}

/** After the first start, a cheap check that the target still serves the dataset: the home page's exact size. */
export async function smoke(baseUrl: string, dataFile: string): Promise<void> {
  const data = readJson<{ home: { length: number; prefix: string } }>(dataFile);
  const r = await fetch(`${baseUrl}/api/home`, { signal: AbortSignal.timeout(10_000) });
  const body = await r.text();
  if (r.status !== 200 || body.length !== data.home.length || !body.startsWith(data.home.prefix))
    throw new TargetFailure(
      `${baseUrl}/api/home differs from the oracle after a restart (status ${r.status})`,
    );
}
