/**
 * The data file the k6 scenarios open (LAB_DATA): dataset-derived ids, queries and the exact body each read
 * request must return right after a reset (its prefix and length), computed by the contract's oracle. k6 cannot
 * import the contract package, so the runner writes this file before every run (cheap: < 1 s at scale 1).
 */
import { join } from 'node:path';
import { Catalog, generateDataset, Oracle, Prng } from '@lab/contract';
import { writeJsonAtomic } from '../lib/files.js';

export interface ScenarioData {
  seed: number;
  scale: number;
  products: { id: number; prefix: string; length: number; available: number }[];
  categories: { slug: string; pages: number; lengths: Record<string, number[]>; prefix: string }[];
  searches: { q: string; total: number; length: number }[];
  home: { length: number; prefix: string };
  sorts: string[];
  pageSize: number;
  stocked: number[];
}

const SORTS = ['popular', 'price_asc', 'price_desc', 'rating'];
const PAGE_SIZE = 24;
/** At large scales only the most popular products are drawn (the skewed draw barely reaches the tail). */
const MAX_PRODUCTS = 5000;
const MAX_PAGES = 50;
const SEARCHES = 200;
/** Share of queries that match nothing (a real search box gets typos). */
const NO_MATCH_EVERY = 10;

function text(body: unknown): string {
  return JSON.stringify(body);
}

export function buildScenarioData(seed: number, scale: number): ScenarioData {
  const catalog = new Catalog(generateDataset({ seed, scale }));
  const oracle = new Oracle(catalog, { adminToken: 'scenario-data-only' });
  const products = catalog.popular.slice(0, MAX_PRODUCTS).map((id) => {
    const body = text(oracle.product(String(id)).body);
    return {
      id,
      prefix: body.slice(0, body.indexOf(',"categoryId"')),
      length: body.length,
      available: oracle.available(id),
    };
  });
  const categories = catalog.categoriesByName.map((c) => {
    const total = catalog.productCount.get(c.id) ?? 0;
    const pages = Math.max(1, Math.min(MAX_PAGES, Math.ceil(total / PAGE_SIZE)));
    const lengths: Record<string, number[]> = {};
    let prefix = '';
    for (const sort of SORTS) {
      lengths[sort] = [];
      for (let p = 1; p <= pages; p++) {
        const body = text(oracle.categoryProducts(c.slug, `page=${p}&sort=${sort}`).body);
        lengths[sort]!.push(body.length);
        if (!prefix) prefix = body.slice(0, body.indexOf(',"page"'));
      }
    }
    return { slug: c.slug, pages, lengths, prefix };
  });
  const rng = new Prng(seed ^ 0x10ad);
  const words = [...catalog.wordIndex.keys()].sort();
  const facts = catalog.allFacts();
  const searches: ScenarioData['searches'] = [];
  for (let i = 0; i < SEARCHES; i++) {
    let q: string;
    if (i % NO_MATCH_EVERY === NO_MATCH_EVERY - 1) q = `${rng.pick(words)} zq${rng.int(100, 999)}x`;
    else if (i % 2 === 0) q = rng.pick(words);
    else {
      const parts = rng.pick(facts).product.name.split(' ');
      q = `${parts[0]} ${parts[parts.length - 1]}`;
    }
    const r = oracle.search(`q=${encodeURIComponent(q)}`);
    const body = r.body as { total: number };
    searches.push({ q, total: body.total, length: text(body).length });
  }
  const home = text(oracle.home().body);
  const stocked = catalog.popular.filter((id) => oracle.available(id) >= 20).slice(0, MAX_PRODUCTS);
  return {
    seed,
    scale,
    products,
    categories,
    searches,
    home: { length: home.length, prefix: home.slice(0, 60) },
    sorts: SORTS,
    pageSize: PAGE_SIZE,
    stocked,
  };
}

/**
 * Writes the data file under .lab/scenario-data/ and returns its path. Regenerated on every invocation (never a
 * stale copy from an older contract): under a second at scale 1.
 */
export function ensureScenarioData(root: string, seed: number, scale: number): string {
  const file = join(root, '.lab', 'scenario-data', `dataset-${seed}-${scale}.json`);
  writeJsonAtomic(file, buildScenarioData(seed, scale), false);
  return file;
}
