/** The two HTTP calls the loop makes to a target besides the load: reset before each run, smoke after a restart. */
import { readJson } from '../lib/files.js';
import { TargetFailure } from './errors.js';

/**
 * Reset the target's state. A target that was just overloaded may still be draining its backlog and answer a
 * 5xx (e.g. a gateway's 503/504): retry for up to two minutes before calling it failed. A 401 is final.
 */
export async function reset(baseUrl: string, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    let status: number;
    try {
      const r = await fetch(`${baseUrl}/api/admin/reset`, {
        method: 'POST',
        headers: { 'x-lab-token': token },
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
      await r.arrayBuffer().catch(() => undefined);
      status = r.status;
    } catch (e) {
      throw new TargetFailure(`POST ${baseUrl}/api/admin/reset failed: ${(e as Error).message}`);
    }
    if (status === 204) return;
    if (status < 500 || Date.now() + 2000 > deadline) {
      throw new TargetFailure(`POST ${baseUrl}/api/admin/reset answered ${status} (attempt ${attempt})`);
    }
    await new Promise((r) => setTimeout(r, 2000));
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
