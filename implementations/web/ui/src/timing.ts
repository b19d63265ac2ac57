// The timing panel: the browser-measured round trip of each request, and the target's own server-timing breakdown
// drawn as bars (app, db, and for micro one bar per upstream hop the BFF made).
import { type LoggedRequest, onRequest, target } from './api.js';
import { byId, h, replace } from './dom.js';

const KEEP = 10;
const log: LoggedRequest[] = [];
let selected: number | null = null;

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

function describe(name: string): string {
  if (name === 'app') return 'app: whole request in the server';
  if (name === 'db') return 'db: time in the database';
  if (name === 'hdb') return "hdb: Harper's own measure of the request";
  return `${name}: an upstream call`;
}

/** Entries that are not an upstream call: the app's own time, its database time, Harper's HTTP layer. */
const LOCAL = new Set(['app', 'db', 'hdb']);

function barClass(name: string, index: number): string {
  if (name === 'app' || name === 'hdb') return 'bar bar-app';
  if (name === 'db') return 'bar bar-db';
  return `bar bar-hop bar-hop-${index % 6}`;
}

function row(
  name: string,
  label: string,
  dur: number,
  scale: number,
  cls: string,
  title: string,
): HTMLLIElement {
  const pct = scale > 0 ? Math.max(0.5, Math.min(100, (dur / scale) * 100)) : 0;
  return h(
    'li',
    { class: 'bar-row', 'data-name': name, title },
    h('span', { class: 'bar-label' }, label),
    h(
      'span',
      { class: 'bar-track', 'aria-hidden': 'true' },
      h('span', { class: cls, style: `width:${pct.toFixed(1)}%` }),
    ),
    h('span', { class: 'bar-value' }, ms(dur)),
  );
}

function renderDetail(): void {
  const el = byId('timing-detail');
  const r = log.find((x) => x.seq === selected) ?? log[0];
  if (!r) {
    replace(el, h('p', { class: 'muted' }, 'No request yet.'));
    return;
  }
  const app = r.timing.find((t) => t.name === 'app');
  // The round trip as one bar split in two: the time the server reports (app) and the rest (network, browser).
  const serverMs = Math.min(app?.dur ?? 0, r.ms);
  const serverPct = r.ms > 0 ? (serverMs / r.ms) * 100 : 0;
  const roundTrip = h(
    'li',
    {
      class: 'bar-row',
      'data-name': 'roundtrip',
      title: 'measured by the browser: sent until the body was read',
    },
    h('span', { class: 'bar-label' }, 'round trip'),
    h(
      'span',
      { class: 'bar-track stacked', 'aria-hidden': 'true' },
      h('span', { class: 'bar bar-app', style: `width:${serverPct.toFixed(1)}%` }),
      h('span', { class: 'bar bar-rt', style: `width:${(100 - serverPct).toFixed(1)}%` }),
    ),
    h('span', { class: 'bar-value' }, ms(r.ms)),
  );
  // The server's own entries, scaled to the largest of them.
  const scale = Math.max(0, ...r.timing.map((t) => t.dur));
  let hop = 0;
  const rows: HTMLLIElement[] = [];
  for (const t of r.timing) {
    const cls = barClass(t.name, hop);
    if (!LOCAL.has(t.name)) hop++;
    rows.push(
      row(t.name, LOCAL.has(t.name) ? t.name : `→ ${t.name}`, t.dur, scale, cls, t.desc ?? describe(t.name)),
    );
  }
  replace(
    el,
    h(
      'p',
      { class: 'req' },
      h('span', { class: `badge badge-${r.target}` }, target(r.target).label),
      ' ',
      h('code', null, `${r.method} ${r.path}`),
      ' ',
      h('span', { class: r.status < 400 ? 'status ok' : 'status err' }, String(r.status)),
    ),
    h(
      'p',
      { class: 'latency' },
      h('strong', { 'data-test': 'latency' }, ms(r.ms)),
      ' round trip',
      app ? `, ${ms(app.dur)} in the server` : '',
    ),
    h('ul', { class: 'bars', 'aria-label': 'Round trip', 'data-test': 'roundtrip' }, roundTrip),
    h('h3', { class: 'bars-h' }, 'server-timing'),
    h('ul', { class: 'bars', 'aria-label': 'server-timing breakdown', 'data-test': 'bars' }, rows),
    r.timing.length === 0
      ? h('p', { class: 'muted' }, 'No server-timing header was readable on this response.')
      : h(
          'p',
          { class: 'muted small', 'data-test': 'timing-legend' },
          [
            ...r.timing.filter((t) => LOCAL.has(t.name)).map((t) => describe(t.name)),
            ...(r.timing.some((t) => !LOCAL.has(t.name))
              ? ['→ service: one upstream call made while answering (calls may overlap)']
              : []),
            ...(app ? [`network and browser: ${ms(Math.max(0, r.ms - app.dur))}`] : []),
          ].join(' · '),
        ),
  );
}

function renderLog(): void {
  const body = byId('timing-log-body');
  replace(
    body,
    log.map((r) =>
      h(
        'tr',
        { class: r.seq === (selected ?? log[0]?.seq) ? 'is-selected' : null },
        h('td', null, h('span', { class: `badge badge-${r.target}` }, target(r.target).label)),
        h(
          'td',
          null,
          h(
            'button',
            {
              type: 'button',
              class: 'linklike',
              title: `${r.method} ${r.path}`,
              'aria-pressed': r.seq === (selected ?? log[0]?.seq) ? 'true' : 'false',
              onclick: () => {
                selected = r.seq;
                render();
              },
            },
            `${r.method} ${r.path}`,
          ),
        ),
        h('td', { class: 'num' }, String(r.status)),
        h('td', { class: 'num' }, ms(r.ms)),
      ),
    ),
  );
}

function render(): void {
  renderDetail();
  renderLog();
}

export function mountTimingPanel(): void {
  onRequest((r) => {
    log.unshift(r);
    if (log.length > KEEP) log.length = KEEP;
    selected = null;
    render();
  });
  render();
}
