// The shop's pages, each drawn from the contract's API of the chosen target only.
import { MESSAGES } from '../../../contract/src/errors.js';
import { type C, call, type Reply, type TargetId, target } from './api.js';
import { type Child, h, replace } from './dom.js';
import { isoDay, money, placeholder, plural, stars } from './format.js';
import * as store from './state.js';

export const PAGE_SIZE = 24;
const SEARCH_LIMIT = 24;
const CART_NOT_FOUND = MESSAGES.cartNotFound;

export const SORTS: readonly (readonly [C.Sort, string])[] = [
  ['popular', 'Most popular'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
  ['rating', 'Top rated'],
];

export interface Ctx {
  target: TargetId;
  /** False once another navigation or a target switch has started: the page must stop drawing. */
  live(): boolean;
  /** Draws the page (title + content) if it is still live. */
  show(title: string, ...content: Child[]): void;
  navigate(hash: string): void;
  /** The cart changed on this target: refresh the header's count. */
  cartChanged(cart: C.Cart | null): void;
}

/** A 404 from the target, shown as a "not found" page. */
export class NotFound extends Error {}

/** Any other non-2xx answer, shown with the contract's error message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: C.ErrorBody['error'] | undefined,
  ) {
    super(error ? `${error.message} (${error.code}, HTTP ${status})` : `HTTP ${status}`);
  }
}

async function get<T>(ctx: Ctx, path: string): Promise<T> {
  const r = await call<T>(ctx.target, 'GET', path);
  if (r.status === 404) throw new NotFound(r.error?.message ?? 'not found');
  if (!r.ok) throw new ApiFailure(r.status, r.error);
  return r.data;
}

// ---- pieces -------------------------------------------------------------------------------------------------

function price(p: C.Price, big = false): HTMLElement {
  return h(
    'p',
    { class: big ? 'price price-big' : 'price' },
    h('span', { class: 'amount', 'data-test': 'price' }, money(p.amount)),
    p.compareAt !== null
      ? [
          ' ',
          h(
            's',
            { class: 'compare' },
            h('span', { class: 'visually-hidden' }, 'regular price '),
            money(p.compareAt),
          ),
        ]
      : null,
  );
}

function rating(r: C.Rating): HTMLElement {
  if (r.count === 0) return h('p', { class: 'rating muted' }, 'No reviews yet');
  return h(
    'p',
    { class: 'rating' },
    h('span', { class: 'stars', 'aria-hidden': 'true' }, stars(r.average)),
    ' ',
    `${r.average.toFixed(2)} out of 5 (${plural(r.count, 'review')})`,
  );
}

function card(p: C.ProductCard): HTMLLIElement {
  return h(
    'li',
    { class: 'card', 'data-test': 'product-card', 'data-product-id': p.id },
    h(
      'a',
      { href: `#/product/${p.id}`, class: 'card-link' },
      h('img', { src: placeholder(p.id, p.categoryId, p.name), alt: '', width: 160, height: 120 }),
      h('h3', { class: 'card-name', 'data-test': 'product-name' }, p.name),
    ),
    price(p.price),
    rating(p.rating),
    h('p', { class: p.inStock ? 'stock in' : 'stock out' }, p.inStock ? 'In stock' : 'Out of stock'),
  );
}

function grid(label: string, products: C.ProductCard[]): HTMLElement {
  const id = `grid-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h(
    'section',
    { 'aria-labelledby': id },
    h('h2', { id, class: 'visually-hidden' }, label),
    h('ul', { class: 'grid' }, products.map(card)),
  );
}

function crumbs(...items: [string, string | null][]): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Breadcrumb', class: 'crumbs' },
    h(
      'ol',
      null,
      items.map(([label, href]) =>
        h('li', null, href ? h('a', { href }, label) : h('span', { 'aria-current': 'page' }, label)),
      ),
    ),
  );
}

// ---- pages --------------------------------------------------------------------------------------------------

export async function home(ctx: Ctx): Promise<void> {
  const r = await get<C.Home>(ctx, '/api/home');
  ctx.show(
    'Home',
    h('h1', null, 'Lab Store'),
    h(
      'p',
      { class: 'lede' },
      `One shop, four backends. This page came from ${target(ctx.target).label} (${target(ctx.target).what}); ` +
        'switch the architecture above and the same shop is fetched again from another stack, with its timing on the right.',
    ),
    h(
      'section',
      { 'aria-labelledby': 'cats-h' },
      h('h2', { id: 'cats-h' }, 'Shop by category'),
      h(
        'ul',
        { class: 'tiles' },
        r.categories.map((c) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href: `#/category/${encodeURIComponent(c.slug)}`,
                class: 'tile',
                'data-test': 'category-tile',
              },
              h('img', { src: placeholder(c.id, c.id, c.name), alt: '', width: 160, height: 120 }),
              h('span', { class: 'tile-name' }, c.name),
              h('span', { class: 'tile-count' }, plural(c.productCount, 'product')),
            ),
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'featured-h' },
      h('h2', { id: 'featured-h' }, 'Featured: most reviewed'),
      h('ul', { class: 'grid' }, r.featured.map(card)),
    ),
  );
}

export async function category(ctx: Ctx, slug: string, query: URLSearchParams): Promise<void> {
  const wanted = query.get('sort');
  const sort: C.Sort = SORTS.find(([s]) => s === wanted)?.[0] ?? 'popular';
  const page = Math.min(1_000_000, Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1));
  const r = await get<C.CategoryPage>(
    ctx,
    `/api/categories/${encodeURIComponent(slug)}/products?page=${page}&pageSize=${PAGE_SIZE}&sort=${sort}`,
  );
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  const href = (p: number, s: C.Sort = sort) => `#/category/${encodeURIComponent(slug)}?sort=${s}&page=${p}`;
  const first = r.total === 0 ? 0 : (r.page - 1) * r.pageSize + 1;
  const last = Math.min(r.total, (r.page - 1) * r.pageSize + r.products.length);
  const select = h(
    'select',
    { id: 'sort', name: 'sort' },
    SORTS.map(([value, label]) => h('option', { value, selected: value === sort }, label)),
  );
  select.addEventListener('change', () => ctx.navigate(href(1, select.value as C.Sort)));
  const pager = h(
    'nav',
    { 'aria-label': 'Pages', class: 'pager' },
    r.page > 1
      ? h('a', { href: href(r.page - 1), rel: 'prev' }, '← Previous')
      : h('span', { class: 'disabled', 'aria-disabled': 'true' }, '← Previous'),
    h('span', { 'aria-current': 'page', 'data-test': 'page-of' }, `Page ${r.page} of ${pages}`),
    r.page < pages
      ? h('a', { href: href(r.page + 1), rel: 'next' }, 'Next →')
      : h('span', { class: 'disabled', 'aria-disabled': 'true' }, 'Next →'),
  );
  ctx.show(
    r.category.name,
    crumbs(['Home', '#/'], [r.category.name, null]),
    h('h1', null, r.category.name),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'p',
        { class: 'muted', 'data-test': 'showing' },
        r.products.length > 0
          ? `Showing ${first}–${last} of ${plural(r.total, 'product')}`
          : `No products on this page (${plural(r.total, 'product')} in total)`,
      ),
      h('div', { class: 'field-inline' }, h('label', { for: 'sort' }, 'Sort by'), select),
    ),
    grid('Products', r.products),
    pager,
  );
}

export async function product(ctx: Ctx, id: string): Promise<void> {
  const p = await get<C.ProductDetail>(ctx, `/api/products/${encodeURIComponent(id)}`);
  const available = p.inventory.available;
  const qty = h('input', {
    id: 'qty',
    name: 'quantity',
    type: 'number',
    inputmode: 'numeric',
    min: 1,
    max: Math.max(1, Math.min(99, available)),
    value: 1,
    required: true,
    disabled: available === 0,
  });
  const status = h('p', { id: 'add-status', class: 'add-status', role: 'status' });
  const button = h(
    'button',
    { type: 'submit', class: 'primary', disabled: available === 0 },
    available === 0 ? 'Out of stock' : 'Add to cart',
  );
  const form = h(
    'form',
    { class: 'buy', 'aria-label': 'Add to cart' },
    h('div', { class: 'field-inline' }, h('label', { for: 'qty' }, 'Quantity'), qty),
    button,
    status,
  );
  const t = ctx.target;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const quantity = Number(qty.value);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
      replace(status, 'Choose a quantity between 1 and 99.');
      qty.focus();
      return;
    }
    button.disabled = true;
    replace(status, 'Adding…');
    addToCart(t, p.id, quantity).then(
      (cart) => {
        button.disabled = false;
        replace(
          status,
          `Added ${quantity} × ${p.name} to your ${target(t).label} cart. `,
          h('a', { href: '#/cart' }, 'View cart'),
        );
        ctx.cartChanged(cart);
      },
      (e: unknown) => {
        button.disabled = false;
        replace(status, `Could not add to cart: ${(e as Error).message}`);
      },
    );
  });
  ctx.show(
    p.name,
    crumbs(
      ['Home', '#/'],
      [p.category.name, `#/category/${encodeURIComponent(p.category.slug)}`],
      [p.name, null],
    ),
    h(
      'article',
      { class: 'product' },
      h('img', {
        class: 'product-img',
        src: placeholder(p.id, p.categoryId, p.name),
        alt: `Illustration for ${p.name}`,
        width: 320,
        height: 240,
      }),
      h(
        'div',
        { class: 'product-info' },
        h('h1', { 'data-test': 'product-title' }, p.name),
        price(p.price, true),
        rating(p.rating),
        h(
          'p',
          { class: available > 0 ? 'stock in' : 'stock out', 'data-test': 'stock' },
          available > 0 ? `In stock: ${plural(available, 'unit')} available` : 'Out of stock',
        ),
        form,
        h('p', { class: 'description' }, p.description),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'reviews-h', class: 'reviews' },
      h('h2', { id: 'reviews-h' }, `Latest reviews (${p.reviews.length} of ${p.rating.count})`),
      p.reviews.length === 0
        ? h('p', { class: 'muted' }, 'No reviews yet.')
        : h(
            'ol',
            { class: 'review-list' },
            p.reviews.map((r) =>
              h(
                'li',
                null,
                h(
                  'article',
                  { class: 'review' },
                  h('h3', null, r.title),
                  h(
                    'p',
                    { class: 'rating' },
                    h('span', { class: 'stars', 'aria-hidden': 'true' }, stars(r.rating)),
                    ` ${r.rating} out of 5`,
                  ),
                  h('p', null, r.body),
                  h(
                    'p',
                    { class: 'muted small' },
                    `by ${r.author} on `,
                    h('time', { datetime: r.createdAt }, isoDay(r.createdAt)),
                  ),
                ),
              ),
            ),
          ),
    ),
  );
}

export async function search(ctx: Ctx, query: URLSearchParams): Promise<void> {
  const q = (query.get('q') ?? '').trim();
  const input = document.getElementById('q') as HTMLInputElement | null;
  if (input && input.value !== q) input.value = q;
  if (!q) {
    ctx.show(
      'Search',
      h('h1', null, 'Search'),
      h('p', null, 'Type a word from a product name in the search box.'),
    );
    return;
  }
  const r = await call<C.SearchResult>(
    ctx.target,
    'GET',
    `/api/search?q=${encodeURIComponent(q)}&limit=${SEARCH_LIMIT}`,
  );
  if (r.status === 400) {
    ctx.show(
      'Search',
      h('h1', null, `Search: “${q}”`),
      h('p', { class: 'notice' }, `The target refused this search: ${r.error?.message ?? 'bad request'}.`),
    );
    return;
  }
  if (!r.ok) throw new ApiFailure(r.status, r.error);
  const s = r.data;
  ctx.show(
    `Search: ${q}`,
    crumbs(['Home', '#/'], ['Search', null]),
    h('h1', null, `Search: “${s.query}”`),
    h(
      'p',
      { class: 'muted', 'data-test': 'search-total' },
      s.total === 0
        ? 'No product name contains every word you typed.'
        : s.total > s.products.length
          ? `${plural(s.total, 'product')} match; the ${s.products.length} most reviewed are shown.`
          : `${plural(s.total, 'product')} match.`,
    ),
    grid('Results', s.products),
  );
}

/** Adds to this target's cart, creating one when there is none (or the stored one is gone or checked out). */
async function addToCart(t: TargetId, productId: number, quantity: number): Promise<C.Cart> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let id = store.cartId(t);
    if (!id) {
      const c = await call<C.Cart>(t, 'POST', '/api/carts');
      if (!c.ok) throw new ApiFailure(c.status, c.error);
      id = c.data.id;
      store.setCartId(t, id);
    }
    const r = await call<C.Cart>(t, 'POST', `/api/carts/${encodeURIComponent(id)}/items`, {
      productId,
      quantity,
    });
    if (r.ok) return r.data;
    const stale =
      (r.status === 404 && r.error?.message === CART_NOT_FOUND) || r.error?.code === 'already_checked_out';
    if (!stale) throw new ApiFailure(r.status, r.error);
    store.setCartId(t, null);
  }
  throw new Error('could not create a cart');
}

/** This target's cart, or null when there is none (a cart id the target no longer knows is forgotten). */
export async function loadCart(t: TargetId): Promise<C.Cart | null> {
  const id = store.cartId(t);
  if (!id) return null;
  const r: Reply<C.Cart> = await call<C.Cart>(t, 'GET', `/api/carts/${encodeURIComponent(id)}`);
  if (r.status === 404) {
    store.setCartId(t, null);
    return null;
  }
  if (!r.ok) throw new ApiFailure(r.status, r.error);
  return r.data;
}

/** Product names for cart and order lines: GET /api/products/{id} per distinct product, in parallel. */
async function names(ctx: Ctx, items: C.CartItem[]): Promise<Map<number, string>> {
  const ids = [...new Set(items.map((i) => i.productId))];
  const found = await Promise.all(
    ids.map(async (id) => {
      const r = await call<C.ProductDetail>(ctx.target, 'GET', `/api/products/${id}`);
      return [id, r.ok ? r.data.name : `Product ${id}`] as const;
    }),
  );
  return new Map(found);
}

function linesTable(
  caption: string,
  items: C.CartItem[],
  names: Map<number, string>,
  total: C.Money,
): HTMLElement {
  return h(
    'table',
    { class: 'lines', 'data-test': 'lines' },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Product'),
        h('th', { scope: 'col', class: 'num' }, 'Unit price'),
        h('th', { scope: 'col', class: 'num' }, 'Quantity'),
        h('th', { scope: 'col', class: 'num' }, 'Line total'),
      ),
    ),
    h(
      'tbody',
      null,
      items.map((i) =>
        h(
          'tr',
          { 'data-test': 'line' },
          h(
            'th',
            { scope: 'row', class: 'row-head' },
            h(
              'a',
              { href: `#/product/${i.productId}`, 'data-test': 'line-name' },
              names.get(i.productId) ?? '',
            ),
          ),
          h('td', { class: 'num', 'data-test': 'line-unit' }, money(i.unitPrice)),
          h('td', { class: 'num', 'data-test': 'line-qty' }, String(i.quantity)),
          h('td', { class: 'num', 'data-test': 'line-total' }, money(i.unitPrice * i.quantity)),
        ),
      ),
    ),
    h(
      'tfoot',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'row', colspan: 3, class: 'foot' }, 'Total'),
        h('td', { class: 'num total foot', 'data-test': 'total' }, money(total.amount)),
      ),
    ),
  );
}

export async function cart(ctx: Ctx): Promise<void> {
  const c = await loadCart(ctx.target);
  ctx.cartChanged(c);
  const label = target(ctx.target).label;
  if (!c || c.items.length === 0) {
    ctx.show(
      'Cart',
      h('h1', null, 'Your cart'),
      h('p', null, `Your ${label} cart is empty. `, h('a', { href: '#/' }, 'Continue shopping')),
      h(
        'p',
        { class: 'muted small' },
        'Each architecture keeps its own carts: a cart lives on the target that made it.',
      ),
    );
    return;
  }
  const n = await names(ctx, c.items);
  const status = h('p', { role: 'status', class: 'add-status', id: 'checkout-status' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Place order');
  const form = h('form', { class: 'checkout', 'aria-label': 'Checkout' }, button, status);
  const t = ctx.target;
  const cartIdNow = c.id;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    button.disabled = true;
    replace(status, 'Placing your order…');
    call<C.Order>(t, 'POST', `/api/carts/${encodeURIComponent(cartIdNow)}/checkout`).then(
      (r) => {
        if (r.ok) {
          store.saveOrder(t, r.data);
          store.setCartId(t, null);
          ctx.cartChanged(null);
          ctx.navigate(`#/order/${t}/${encodeURIComponent(r.data.orderId)}`);
          return;
        }
        button.disabled = false;
        const e = r.error;
        if (e?.code === 'insufficient_stock' && e.productId !== undefined) {
          replace(status, `Not enough stock left for ${n.get(e.productId) ?? `product ${e.productId}`}.`);
        } else {
          replace(status, `The order was not placed: ${e?.message ?? `HTTP ${r.status}`}.`);
        }
      },
      (e: unknown) => {
        button.disabled = false;
        replace(status, `The order was not placed: ${(e as Error).message}.`);
      },
    );
  });
  const units = c.items.reduce((s, i) => s + i.quantity, 0);
  ctx.show(
    'Cart',
    h('h1', null, 'Your cart'),
    h('p', { class: 'muted' }, `${plural(units, 'item')} in your ${label} cart.`),
    linesTable('Cart contents', c.items, n, c.total),
    form,
  );
}

export async function order(ctx: Ctx, owner: string, orderId: string): Promise<void> {
  const stored = store.findOrder(owner as TargetId, orderId);
  if (!stored) {
    ctx.show(
      'Order',
      h('h1', null, 'Order not found'),
      h('p', null, 'This tab has no record of that order. ', h('a', { href: '#/' }, 'Continue shopping')),
    );
    return;
  }
  const o = stored.order;
  const n = await names(ctx, o.items);
  ctx.show(
    'Order confirmed',
    h('h1', null, 'Thank you: your order is confirmed'),
    h(
      'p',
      { class: 'confirm' },
      'Order ',
      h('strong', { 'data-test': 'order-id' }, o.orderId),
      ` was placed on ${target(stored.target).label}.`,
      stored.target !== ctx.target ? ` (Product names are now read from ${target(ctx.target).label}.)` : '',
    ),
    linesTable('Order lines', o.items, n, o.total),
    h('p', null, h('a', { href: '#/' }, 'Continue shopping')),
  );
}
