// The storefront: hash routes (so that every target serves one file, index.html, and no API path is shadowed), an
// architecture toggle that swaps the API base and re-fetches the page in place, and the timing panel.
import { type C, type Health, probe, TARGETS, TargetDown, type TargetId, target } from './api.js';
import { byId, type Child, h, replace } from './dom.js';
import * as pages from './pages.js';
import * as store from './state.js';
import { mountTimingPanel } from './timing.js';

const PROBE_EVERY_MS = 10_000;

let current: TargetId = store.initialTarget();
let renderSeq = 0;

const main = byId<HTMLElement>('main');

// ---- the architecture toggle ---------------------------------------------------------------------------------

function healthText(s: Health): string {
  switch (s) {
    case 'up':
      return 'running';
    case 'starting':
      return 'starting';
    case 'down':
      return 'unavailable';
    default:
      return 'checking…';
  }
}

function drawToggle(): void {
  const list = byId('toggle-options');
  replace(
    list,
    TARGETS.map((t) => {
      const s = store.health[t.id] ?? 'unknown';
      const id = `target-${t.id}`;
      return h(
        'div',
        { class: `option health-${s}`, 'data-target': t.id },
        h('input', {
          class: 'option-input',
          type: 'radio',
          name: 'target',
          id,
          value: t.id,
          checked: t.id === current,
          // A target that is not up cannot be chosen; the one in use stays selectable so focus is never lost.
          disabled: s !== 'up' && t.id !== current,
          'aria-describedby': `${id}-state`,
        }),
        h(
          'label',
          { for: id, class: 'option-label' },
          h('span', { class: 'option-name' }, t.label),
          h('span', { class: 'option-state', id: `${id}-state` }, `:${t.port} · ${healthText(s)}`),
        ),
      );
    }),
  );
  byId('toggle-what').textContent = `${target(current).label}: ${target(current).what}`;
}

async function probeAll(): Promise<void> {
  const results = await Promise.all(TARGETS.map(async (t) => [t.id, await probe(t.id)] as const));
  let changed = false;
  for (const [id, s] of results) {
    if (store.health[id] !== s) changed = true;
    store.health[id] = s;
  }
  if (changed) drawToggle();
}

function setTarget(id: TargetId): void {
  if (id === current) return;
  current = id;
  store.saveTarget(id);
  drawToggle();
  announce(`Architecture: ${target(id).label}. Reloading this page from it.`);
  void refreshCartCount();
  void route(false);
}

// ---- header: cart count, search, skip link ---------------------------------------------------------------------

function showCartCount(c: C.Cart | null): void {
  const n = c ? c.items.reduce((s, i) => s + i.quantity, 0) : 0;
  byId('cart-count').textContent = String(n);
  byId('cart-link').setAttribute('aria-label', `Cart, ${n} ${n === 1 ? 'item' : 'items'}`);
}

async function refreshCartCount(): Promise<void> {
  const t = current;
  try {
    const c = await pages.loadCart(t);
    if (t === current) showCartCount(c);
  } catch {
    if (t === current) showCartCount(null);
  }
}

function announce(message: string): void {
  const el = byId('announcer');
  el.textContent = '';
  // A separate task, so that screen readers notice a repeated message.
  setTimeout(() => {
    el.textContent = message;
  }, 50);
}

// ---- routing -------------------------------------------------------------------------------------------------

function parseHash(): { parts: string[]; query: URLSearchParams } {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  return { parts, query };
}

async function route(focus: boolean): Promise<void> {
  const seq = ++renderSeq;
  const t = current;
  const live = () => seq === renderSeq && t === current;
  main.setAttribute('aria-busy', 'true');
  const ctx: pages.Ctx = {
    target: t,
    live,
    show(title: string, ...content: Child[]) {
      if (!live()) return;
      replace(main, ...content);
      document.title = `${title} · Lab Store (${target(t).label})`;
      main.setAttribute('aria-busy', 'false');
      main.dataset['target'] = t;
      // What is on screen (route and target): lets a test wait for exactly this render.
      main.dataset['rendered'] = `${location.hash}|${t}`;
      if (focus) {
        const h1 = main.querySelector('h1');
        if (h1) {
          h1.setAttribute('tabindex', '-1');
          h1.focus({ preventScroll: false });
        }
      }
    },
    navigate(hash: string) {
      location.hash = hash;
    },
    cartChanged(c) {
      if (t === current) showCartCount(c);
    },
  };
  const { parts, query } = parseHash();
  try {
    const [first, a, b] = parts;
    if (first === undefined) await pages.home(ctx);
    else if (first === 'category' && a) await pages.category(ctx, a, query);
    else if (first === 'product' && a) await pages.product(ctx, a);
    else if (first === 'search') await pages.search(ctx, query);
    else if (first === 'cart') await pages.cart(ctx);
    else if (first === 'order' && a && b) await pages.order(ctx, a, b);
    else throw new pages.NotFound('no such page');
  } catch (e) {
    if (!live()) return;
    if (e instanceof TargetDown) {
      store.health[e.target] = 'down';
      drawToggle();
      ctx.show('Unavailable', ...unavailable(e.target));
    } else if (e instanceof pages.NotFound) {
      ctx.show(
        'Not found',
        h('h1', null, 'Not found'),
        h(
          'p',
          null,
          `${target(t).label} has no such page (${e.message}). `,
          h('a', { href: '#/' }, 'Go home'),
        ),
      );
    } else {
      ctx.show(
        'Something went wrong',
        h('h1', null, 'Something went wrong'),
        h('p', { class: 'notice' }, `${target(t).label} answered: ${(e as Error).message}`),
      );
    }
  }
}

function unavailable(id: TargetId): Child[] {
  const t = target(id);
  const running = TARGETS.filter((x) => x.id !== id && store.health[x.id] === 'up');
  return [
    h('h1', null, `${t.label} is not running`),
    h(
      'p',
      { class: 'notice' },
      `Nothing answers on port ${t.port}. Start it with `,
      h('code', null, `./lab up ${t.id}`),
      ' (or its Docker Compose profile), or choose a running architecture:',
    ),
    running.length === 0
      ? h('p', null, 'No architecture answers right now.')
      : h(
          'ul',
          { class: 'switch-list' },
          running.map((r) =>
            h('li', null, h('button', { type: 'button', onclick: () => setTarget(r.id) }, `Use ${r.label}`)),
          ),
        ),
  ];
}

// ---- start ---------------------------------------------------------------------------------------------------

function wire(): void {
  byId('toggle-options').addEventListener('change', (ev) => {
    const input = ev.target as HTMLInputElement;
    if (input.name === 'target') setTarget(input.value as TargetId);
  });
  byId<HTMLFormElement>('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = byId<HTMLInputElement>('q').value.trim();
    if (q) location.hash = `#/search?q=${encodeURIComponent(q)}`;
  });
  byId('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => void route(true));
}

async function start(): Promise<void> {
  mountTimingPanel();
  wire();
  drawToggle();
  await probeAll();
  if (store.health[current] !== 'up') {
    // The saved choice is not running: fall back to the page's own target, else any running one.
    const own = store.ownTarget();
    const next =
      own && store.health[own] === 'up' ? own : TARGETS.find((t) => store.health[t.id] === 'up')?.id;
    if (next) {
      current = next;
      drawToggle();
    }
  }
  document.body.dataset['ready'] = 'true';
  void refreshCartCount();
  await route(false);
  setInterval(() => void probeAll(), PROBE_EVERY_MS);
}

void start();
