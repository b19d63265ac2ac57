const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POST /api/admin/reset: stock back to the dataset's, carts and orders gone. A target still recovering from a
 * fault (or still starting) gets two minutes to answer; a refused token is final.
 */
export async function resetTarget(baseUrl: string, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${baseUrl}/api/admin/reset`, {
        method: 'POST',
        headers: { 'x-lab-token': token },
        signal: AbortSignal.timeout(60_000),
      });
      if (r.status === 204) return;
      if (r.status === 401) throw new Error(`reset of ${baseUrl} refused the admin token (401)`);
      last = `answered ${r.status}`;
    } catch (e) {
      if (/401/.test((e as Error).message)) throw e;
      last = (e as Error).message;
    }
    await sleep(1000);
  }
  throw new Error(`reset of ${baseUrl} failed for two minutes: ${last}`);
}
