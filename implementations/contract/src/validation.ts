import { MESSAGES } from './errors.js';
import type { Sort } from './types.js';

export const SORTS: readonly Sort[] = ['popular', 'price_asc', 'price_desc', 'rating'];
export const PAGE_MAX = 1_000_000;
export const PAGE_SIZE_DEFAULT = 24;
export const PAGE_SIZE_MAX = 100;
export const SEARCH_LIMIT_DEFAULT = 20;
export const SEARCH_LIMIT_MAX = 50;
export const QUERY_MAX_CODE_POINTS = 100;
export const QUANTITY_MAX = 99;
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface CategoryQuery {
  page: number;
  pageSize: number;
  sort: Sort;
}

export interface SearchQuery {
  q: string;
  tokens: string[];
  limit: number;
}

export interface AddItemInput {
  productId: number;
  quantity: number;
}

const DIGITS = /^[0-9]+$/;
const TOKEN_SPLIT = /[^a-z0-9]+/;
const POSITIVE_ID = /^[1-9][0-9]{0,14}$/;

/** Splits a raw query string ("a=1&b=2", with or without a leading "?") the way URLSearchParams does. */
function params(rawQuery: string): URLSearchParams {
  return new URLSearchParams(rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery);
}

/** One value of a parameter: undefined when absent, null when repeated. */
function single(p: URLSearchParams, name: string): string | undefined | null {
  const all = p.getAll(name);
  if (all.length > 1) return null;
  return all[0];
}

function intParam(
  p: URLSearchParams,
  name: string,
  fallback: number,
  max: number,
  message: string,
): Parsed<number> {
  const raw = single(p, name);
  if (raw === null) return { ok: false, message: MESSAGES.repeated(name) };
  if (raw === undefined) return { ok: true, value: fallback };
  if (!DIGITS.test(raw)) return { ok: false, message };
  const n = Number(raw);
  if (n < 1 || n > max) return { ok: false, message };
  return { ok: true, value: n };
}

/** Query of GET /api/categories/{slug}/products, validated in the order page, pageSize, sort. */
export function parseCategoryQuery(rawQuery: string): Parsed<CategoryQuery> {
  const p = params(rawQuery);
  const page = intParam(p, 'page', 1, PAGE_MAX, MESSAGES.page);
  if (!page.ok) return page;
  const pageSize = intParam(p, 'pageSize', PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, MESSAGES.pageSize);
  if (!pageSize.ok) return pageSize;
  const sort = single(p, 'sort');
  if (sort === null) return { ok: false, message: MESSAGES.repeated('sort') };
  if (sort !== undefined && !(SORTS as readonly string[]).includes(sort)) {
    return { ok: false, message: MESSAGES.sort };
  }
  return {
    ok: true,
    value: { page: page.value, pageSize: pageSize.value, sort: (sort ?? 'popular') as Sort },
  };
}

/**
 * ASCII-only lower-casing, then split on anything that is not [a-z0-9]. Deliberately not toLowerCase(): Unicode
 * case mapping (e.g. U+0130) differs between JavaScript, PostgreSQL and MongoDB, and the contract must not.
 */
export function tokenize(text: string): string[] {
  const lowered = text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  return lowered.split(TOKEN_SPLIT).filter((t) => t.length > 0);
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Query of GET /api/search: q (missing/empty, too long, no tokens), then limit. */
export function parseSearchQuery(rawQuery: string): Parsed<SearchQuery> {
  const p = params(rawQuery);
  const q = single(p, 'q');
  if (q === null) return { ok: false, message: MESSAGES.repeated('q') };
  if (q === undefined || q.length === 0) return { ok: false, message: MESSAGES.qMissing };
  if (codePointLength(q) > QUERY_MAX_CODE_POINTS) return { ok: false, message: MESSAGES.qTooLong };
  const tokens = tokenize(q);
  if (tokens.length === 0) return { ok: false, message: MESSAGES.qNoTokens };
  const limit = intParam(p, 'limit', SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX, MESSAGES.limit);
  if (!limit.ok) return limit;
  return { ok: true, value: { q, tokens: [...new Set(tokens)], limit: limit.value } };
}

/** A product id from a URL path segment; null when it cannot name a product (the caller answers 404). */
export function parseProductId(raw: string): number | null {
  return POSITIVE_ID.test(raw) ? Number(raw) : null;
}

/** True for `application/json` with or without parameters, in any letter case. */
export function isJsonContentType(header: string | undefined | null): boolean {
  if (!header) return false;
  const semi = header.indexOf(';');
  const mime = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  return mime === 'application/json';
}

/** Body of POST /api/carts/{id}/items, already JSON-parsed (pass undefined when it was not valid JSON). */
export function parseAddItemBody(body: unknown): Parsed<AddItemInput> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: MESSAGES.bodyNotObject };
  }
  const { productId, quantity } = body as Record<string, unknown>;
  if (typeof productId !== 'number' || !Number.isSafeInteger(productId) || productId < 1) {
    return { ok: false, message: MESSAGES.productId };
  }
  if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > QUANTITY_MAX
  ) {
    return { ok: false, message: MESSAGES.quantity };
  }
  return { ok: true, value: { productId, quantity } };
}

/** The whole add-item check, for targets that receive the raw body: content-type, JSON, then fields. */
export function parseAddItemRequest(
  contentType: string | undefined | null,
  rawBody: string,
): Parsed<AddItemInput> {
  if (!isJsonContentType(contentType)) return { ok: false, message: MESSAGES.contentType };
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: MESSAGES.bodyNotObject };
  }
  return parseAddItemBody(body);
}
