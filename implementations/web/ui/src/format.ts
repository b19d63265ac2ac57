// Formatting shared by every page: money (integer cents), ratings, dates, and the product placeholder images.

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function money(cents: number): string {
  return USD.format(cents / 100);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "2026-03-04" from an ISO date-time: the same text whatever the browser's time zone. */
export function isoDay(dateTime: string): string {
  return dateTime.slice(0, 10);
}

export function stars(rating: number): string {
  const full = Math.round(rating);
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A deterministic picture for a product or a category: the dataset's image paths (/images/products/<id>.jpg) are
 * served by no target, so the shop draws an SVG from the ids (colour from the category, shape from the product)
 * with the name's initials, as a data: URL (no request at all).
 */
export function placeholder(id: number, categoryId: number, name: string): string {
  const hue = (categoryId * 137) % 360;
  const accent = (hue + 35 + (id % 7) * 9) % 360;
  const initials = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const r = 18 + (id % 5) * 4;
  const x = 30 + ((id * 37) % 100);
  const y = 22 + ((id * 53) % 76);
  const shapes = [
    `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${accent} 60% 72%)"/>`,
    `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" rx="6" fill="hsl(${accent} 60% 72%)"/>`,
    `<polygon points="${x},${y - r} ${x + r},${y + r} ${x - r},${y + r}" fill="hsl(${accent} 60% 72%)"/>`,
  ];
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120">` +
    `<rect width="160" height="120" fill="hsl(${hue} 45% 90%)"/>${shapes[id % 3]}` +
    `<text x="80" y="74" text-anchor="middle" font-family="system-ui,sans-serif" font-size="34" ` +
    `font-weight="700" fill="hsl(${hue} 40% 28%)">${escapeXml(initials)}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
