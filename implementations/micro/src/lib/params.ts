import { errors, PAGE_SIZE_MAX } from '@lab/contract';

/** Internal APIs are called by our own BFF with validated values; a malformed call is still a 400, never a 500. */
export const MAX_BATCH = PAGE_SIZE_MAX;

const ID = /^[1-9][0-9]{0,14}$/;

export function queryParam(rawQuery: string, name: string): string | undefined {
  const p = new URLSearchParams(rawQuery);
  return p.get(name) ?? undefined;
}

export function parseId(raw: string | undefined): number | null {
  return raw !== undefined && ID.test(raw) ? Number(raw) : null;
}

/** "ids=3,1,2" -> [3,1,2] (order kept, at most MAX_BATCH), or null when malformed. */
export function parseIdList(raw: string | undefined): number[] | null {
  if (raw === undefined || raw === '') return [];
  const parts = raw.split(',');
  if (parts.length > MAX_BATCH) return null;
  const out: number[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const id = parseId(parts[i]);
    if (id === null) return null;
    out[i] = id;
  }
  return out;
}

export function intParam(raw: string | undefined, min: number, max: number): number | null {
  if (raw === undefined || !/^[0-9]{1,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

export const badInternalCall = (what: string) => errors.badRequest(`internal call: ${what}`);

/** Aligns rows keyed by `_id` with the requested ids: out[i] belongs to ids[i] (null when absent). */
export function align<T extends { _id: number }>(ids: readonly number[], rows: readonly T[]): (T | null)[] {
  const byId = new Map<number, T>();
  for (const r of rows) byId.set(r._id, r);
  return ids.map((id) => byId.get(id) ?? null);
}
