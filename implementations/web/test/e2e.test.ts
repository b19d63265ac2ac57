// The storefront in a real browser (Debian's Chromium driven by playwright-core), on every target that runs: each
// target serves the shop at its own "/", and a shopper goes home → category (sort, next page) → product → add to
// cart → search → cart → checkout → order confirmation. The visible names, prices and totals must be the same on
// every target. Then, from the reference's page, the architecture toggle re-fetches the page from each other target
// and draws its server-timing breakdown. Screenshots go to test-artifacts/web/ (and, with LAB_UI_DOCS=1, the
// reference's to docs/ui/ for docs/ui.md).
//
// Targets: LAB_WEB_E2E_TARGETS (default reference,harper,micro,mono). Each is reused when it already answers
// /health, else brought up with ./lab (and stopped afterwards); one that cannot be brought up is skipped, except
// reference, which must run.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  ALL_TARGETS,
  bringDown,
  bringUp,
  type Outcome,
  ROOT,
  type Running,
  type TargetId,
} from './targets.js';

const CHROMIUM = process.env['LAB_CHROMIUM'] ?? '/usr/bin/chromium';
// The flags that work on these machines (see the toolchain notes); playwright adds --headless and a fresh
// --user-data-dir (a temporary profile per launch).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
const DOCS_DIR = join(ROOT, 'docs', 'ui');
const WRITE_DOCS = process.env['LAB_UI_DOCS'] === '1';
const BUILT_INDEX_FILE = join(ROOT, 'implementations', 'web', 'dist', 'ui', 'index.html');
const BUILT_INDEX = existsSync(BUILT_INDEX_FILE) ? readFileSync(BUILT_INDEX_FILE, 'utf8') : '(not built)';
const LABELS: Record<TargetId, string> = {
  reference: 'Reference',
  harper: 'Harper',
  micro: 'Micro',
  microlith: 'Microlith',
  mono: 'Mono',
};
/** Server-timing entries that are not an upstream hop. */
const LOCAL_TIMING = new Set(['app', 'db', 'hdb']);

const wanted = (() => {
  const ids = (process.env['LAB_WEB_E2E_TARGETS'] ?? 'reference,harper,micro,mono')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!ALL_TARGETS.some((t) => t.id === id)) throw new Error(`LAB_WEB_E2E_TARGETS: unknown target "${id}"`);
  }
  return ALL_TARGETS.filter((t) => t.id === 'reference' || ids.includes(t.id));
})();

// `./lab setup` installs Chromium (the README's test command): without it this file fails, saying so.
const haveChromium = existsSync(CHROMIUM);

function log(line: string): void {
  process.stderr.write(`# web-e2e ${line}\n`);
}

// ---- page helpers ---------------------------------------------------------------------------------------------

/** Waits until the shop has drawn the current route from the given target (main[data-rendered]). */
async function settle(page: Page, target: TargetId): Promise<void> {
  try {
    await page.waitForFunction((t) => {
      const m = document.querySelector('main');
      return (
        !!m && m.getAttribute('aria-busy') === 'false' && m.dataset['rendered'] === `${location.hash}|${t}`
      );
    }, target);
  } catch (e) {
    const state = await page.evaluate(() => ({
      url: location.href,
      rendered: document.querySelector('main')?.dataset['rendered'],
      busy: document.querySelector('main')?.getAttribute('aria-busy'),
      h1: document.querySelector('main h1')?.textContent,
    }));
    throw new Error(
      `the page did not settle on ${target}: ${JSON.stringify(state)}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const h1 = (await page.locator('main h1').first().textContent()) ?? '';
  assert.doesNotMatch(
    h1,
    /^(Something went wrong|Not found|.* is not running)$/,
    `page shows an error: ${h1}`,
  );
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

/** "name | price" of every product card on the page, in order. */
function cards(page: Page): Promise<string[]> {
  return page.$$eval('main [data-test=product-card]', (els) =>
    els.map(
      (c) =>
        `${c.querySelector('[data-test=product-name]')?.textContent ?? ''} | ` +
        `${c.querySelector('[data-test=price]')?.textContent ?? ''}`,
    ),
  );
}

/** Cart or order lines: [name, unit price, quantity, line total]. */
function lines(page: Page): Promise<string[][]> {
  return page.$$eval('main [data-test=line]', (rows) =>
    rows.map((r) =>
      ['line-name', 'line-unit', 'line-qty', 'line-total'].map(
        (k) => r.querySelector(`[data-test=${k}]`)?.textContent ?? '',
      ),
    ),
  );
}

async function shot(page: Page, target: TargetId, name: string): Promise<void> {
  mkdirSync(join(ARTIFACTS, target), { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, target, `${name}.png`), fullPage: true });
  if (WRITE_DOCS && target === 'reference') {
    mkdirSync(DOCS_DIR, { recursive: true });
    await page.screenshot({ path: join(DOCS_DIR, `${name.replace(/^\d+-/, '')}.png`), fullPage: true });
  }
}

// ---- the shopping flow ----------------------------------------------------------------------------------------

interface Transcript {
  home: { categories: string[]; featured: string[] };
  category: {
    title: string;
    showing: string;
    popular: string[];
    priceAsc: string[];
    page2: string[];
    pageOf: string;
  };
  product: { title: string; price: string; reviews: string[] };
  search: { query: string; total: string; results: string[] };
  cart: { lines: string[][]; total: string };
  order: { lines: string[][]; total: string };
}

/**
 * The flow on one target's own origin. The product is the first in-stock card of the price_asc page 2 on the first
 * run (reference); the other targets open that same product.
 */
async function shop(browser: Browser, t: Running, productId: number | null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    // Home, served by the target itself.
    const res = await page.goto(`${t.url}/`);
    assert.equal(res?.status(), 200, `${t.id} must serve the storefront at /`);
    assert.match(res?.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(
      await res?.text(),
      BUILT_INDEX,
      `${t.id} serves another build of the storefront than implementations/web/dist/ui: restart it`,
    );
    await settle(page, t.id);
    assert.ok(await page.locator(`#target-${t.id}`).isChecked(), `the toggle selects the page's own target`);
    const home = {
      categories: await page.$$eval('[data-test=category-tile]', (els) =>
        els.map((e) => e.textContent?.trim() ?? ''),
      ),
      featured: await cards(page),
    };
    assert.ok(home.categories.length > 0 && home.featured.length > 0, 'home shows categories and products');
    await shot(page, t.id, '01-home');

    // Category: the first tile; then sort by price (the labelled select) and go to the next page.
    await page.locator('[data-test=category-tile]').first().click();
    await settle(page, t.id);
    const title = await text(page, 'main h1');
    const showing = await text(page, '[data-test=showing]');
    const popular = await cards(page);
    await page.getByLabel('Sort by').selectOption('price_asc');
    await page.waitForURL(/sort=price_asc/);
    await settle(page, t.id);
    const priceAsc = await cards(page);
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    await settle(page, t.id);
    const page2 = await cards(page);
    const pageOf = await text(page, '[data-test=page-of]');
    await shot(page, t.id, '02-category');

    // Product: the first in-stock card here (reference), or the product the reference run chose.
    const id =
      productId ??
      (await page.$$eval('main [data-test=product-card]', (els) => {
        const c = els.find((e) => e.querySelector('.stock.in'));
        return c ? Number((c as HTMLElement).dataset['productId']) : null;
      }));
    assert.ok(id, 'a product in stock on this page');
    await page.locator(`main [data-test=product-card][data-product-id="${id}"] a`).click();
    await settle(page, t.id);
    const product = {
      title: await text(page, '[data-test=product-title]'),
      price: await text(page, 'main .product [data-test=price]'),
      reviews: await page.$$eval('main .review h3', (els) => els.map((e) => e.textContent ?? '')),
    };
    await shot(page, t.id, '03-product');

    // Add two to the cart.
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForFunction(() =>
      document.getElementById('add-status')?.textContent?.startsWith('Added 2 ×'),
    );
    assert.equal(await text(page, '#cart-count'), '2');

    // Search: the product's name without its brand.
    const query = product.title.split(' ').slice(1).join(' ');
    await page.getByRole('searchbox', { name: 'Search products' }).fill(query);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/search\?q=/);
    await settle(page, t.id);
    const search = {
      query,
      total: await text(page, '[data-test=search-total]'),
      results: await cards(page),
    };
    assert.ok(
      search.results.some((r) => r.startsWith(`${product.title} |`)),
      'the search finds the product',
    );
    await shot(page, t.id, '04-search');

    // Cart.
    await page.locator('#cart-link').click();
    await settle(page, t.id);
    const cart = { lines: await lines(page), total: await text(page, 'main [data-test=total]') };
    assert.equal(cart.lines.length, 1);
    await shot(page, t.id, '05-cart');

    // Checkout → order confirmation.
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/#\/order\//);
    await settle(page, t.id);
    const order = { lines: await lines(page), total: await text(page, 'main [data-test=total]') };
    assert.ok((await text(page, '[data-test=order-id]')).length > 0, 'the order id is shown');
    assert.equal(await text(page, '#cart-count'), '0', 'the cart is empty after checkout');
    await shot(page, t.id, '06-order');

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    const transcript: Transcript = {
      home,
      category: { title, showing, popular, priceAsc, page2, pageOf },
      product,
      search,
      cart,
      order,
    };
    return { transcript, productId: id };
  } finally {
    await context.close();
  }
}

// ---- the suite ------------------------------------------------------------------------------------------------

describe('storefront in a real browser', () => {
  let browser: Browser | undefined;
  let outcome: Outcome = { running: [], skipped: [] };
  const transcripts = new Map<TargetId, Transcript>();
  let productId: number | null = null;

  before(
    async () => {
      if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM}: ./lab setup installs it`);
      outcome = await bringUp(wanted, log);
      for (const s of outcome.skipped) log(`${s.id}: SKIPPED: ${s.reason}`);
      assert.ok(
        outcome.running.some((t) => t.id === 'reference'),
        `reference must run: ${outcome.skipped.find((s) => s.id === 'reference')?.reason}`,
      );
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      log(`Chromium ${browser.version()}; targets: ${outcome.running.map((t) => t.id).join(', ')}`);
    },
    { timeout: 20 * 60_000 },
  );

  after(
    async () => {
      await browser?.close();
      await bringDown(outcome.running, log);
    },
    { timeout: 5 * 60_000 },
  );

  const running = (id: TargetId) => outcome.running.find((t) => t.id === id);

  for (const target of wanted) {
    test(`${target.id}: home → category → product → cart → checkout → order, on its own origin`, async (t) => {
      const r = running(target.id);
      if (!r) {
        t.skip(
          `${target.id} is not running: ${outcome.skipped.find((s) => s.id === target.id)?.reason ?? ''}`,
        );
        return;
      }
      const out = await shop(browser!, r, productId);
      productId ??= out.productId;
      transcripts.set(target.id, out.transcript);
    });
  }

  test('every running target shows the same products, prices and totals', () => {
    const ref = transcripts.get('reference');
    assert.ok(ref, 'the reference flow ran');
    assert.ok(ref.cart.total !== '' && ref.cart.total === ref.order.total, 'cart total = order total');
    for (const [id, tx] of transcripts) {
      if (id === 'reference') continue;
      assert.deepEqual(tx, ref, `${id} differs from reference`);
    }
    log(`same shop on ${[...transcripts.keys()].join(', ')}; order total ${ref.order.total}`);
  });

  test('the toggle re-fetches the page from each target and draws its server-timing', async () => {
    const ref = running('reference')!;
    const refTx = transcripts.get('reference');
    assert.ok(refTx && productId, 'the reference flow ran');
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await page.goto(`${ref.url}/#/product/${productId}`);
      await settle(page, 'reference');
      // Not-running targets are shown as unavailable (and cannot be chosen), not as errors.
      for (const t of ALL_TARGETS) {
        if (running(t.id)) continue;
        await page.waitForFunction(
          (id) => document.getElementById(`target-${id}-state`)?.textContent?.includes('unavailable'),
          t.id,
        );
        assert.ok(await page.locator(`#target-${t.id}`).isDisabled(), `${t.id} cannot be chosen`);
      }
      const others = outcome.running.filter((t) => t.id !== 'reference');
      for (const t of [...others, ref]) {
        await page.locator(`label[for="target-${t.id}"]`).click();
        await settle(page, t.id);
        assert.equal(await text(page, '[data-test=product-title]'), refTx.product.title, t.id);
        assert.equal(await text(page, 'main .product [data-test=price]'), refTx.product.price, t.id);
        // The page's URL (route) did not change: only the API base did.
        assert.ok(page.url().endsWith(`#/product/${productId}`));
        await page.waitForFunction(
          (label) => document.querySelector('#timing-detail .badge')?.textContent === label,
          LABELS[t.id],
        );
        const bars = await page.$$eval('[data-test=bars] li', (els) =>
          els.map((e) => (e as HTMLElement).dataset['name'] ?? ''),
        );
        assert.equal(await page.locator('[data-test=roundtrip] li').count(), 1, 'the round trip is drawn');
        assert.ok(bars.includes('app'), `${t.id} server-timing bars: ${bars.join(', ')}`);
        if (t.id === 'micro') {
          assert.ok(
            bars.some((b) => !LOCAL_TIMING.has(b)),
            `micro draws one bar per upstream hop: ${bars.join(', ')}`,
          );
        }
        if (t.id !== 'reference') await shot(page, t.id, '07-toggle');
        if (t.id !== 'reference' && WRITE_DOCS) {
          mkdirSync(DOCS_DIR, { recursive: true });
          await page.screenshot({ path: join(DOCS_DIR, `toggle-${t.id}.png`), fullPage: false });
        }
      }
      // Keyboard: an arrow key in the radio group moves to the next running target and re-fetches from it.
      if (others.length > 0) {
        await page.locator('#target-reference').focus();
        await page.keyboard.press('ArrowRight');
        const now = await page.$eval('input[name=target]:checked', (e) => (e as HTMLInputElement).value);
        assert.notEqual(now, 'reference');
        await settle(page, now as TargetId);
      }
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('keyboard and accessibility basics', async () => {
    const ref = running('reference')!;
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await page.goto(`${ref.url}/`);
      await settle(page, 'reference');
      // Landmarks, one h1, labelled controls, alt on every image.
      for (const sel of ['header', 'main', 'aside', 'footer', 'search']) {
        assert.ok((await page.locator(sel).count()) > 0, `landmark ${sel}`);
      }
      assert.equal(await page.locator('h1').count(), 1);
      const unlabelled = await page.$$eval('input, select', (els) =>
        els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.outerHTML),
      );
      assert.deepEqual(unlabelled, []);
      assert.equal(await page.locator('img:not([alt])').count(), 0);
      // The first Tab reaches the skip link, visibly focused; Enter moves focus to the main content.
      await page.keyboard.press('Tab');
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          const s = el ? getComputedStyle(el) : null;
          return {
            id: el?.id ?? '',
            tag: el?.tagName ?? '',
            cls: el?.className ?? '',
            outline: s?.outlineStyle,
          };
        });
      let f = await focused();
      assert.equal(f.id, 'skip-link');
      assert.notEqual(f.outline, 'none', 'focus is visible');
      await page.keyboard.press('Enter');
      f = await focused();
      assert.equal(f.tag, 'MAIN');
      // From main, Tab reaches the first category tile; Enter opens it and focus lands on its heading.
      await page.keyboard.press('Tab');
      f = await focused();
      assert.equal(f.cls, 'tile');
      assert.notEqual(f.outline, 'none', 'focus is visible');
      await page.keyboard.press('Enter');
      await page.waitForURL(/#\/category\//);
      await settle(page, 'reference');
      f = await focused();
      assert.equal(f.tag, 'H1', 'focus moves to the new page heading');
      // The sort control works from the keyboard.
      await page.getByLabel('Sort by').focus();
      await page.keyboard.press('ArrowDown');
      await page.waitForURL(/sort=price_asc/);
      await settle(page, 'reference');
    } finally {
      await context.close();
    }
  });
});
