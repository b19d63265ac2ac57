/** The first place where two JSON values differ, as a JSONPath-like string with both values; null if equal. */
export function firstDifference(expected: unknown, actual: unknown, path = '$'): string | null {
  if (Object.is(expected, actual)) return null;
  const show = (v: unknown) => {
    const s = JSON.stringify(v);
    return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  };
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) {
      return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (expected.length !== actual.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    }
    return null;
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!(k in a)) return `${path}.${k}: missing (expected ${show(e[k])})`;
      const d = firstDifference(e[k], a[k], `${path}.${k}`);
      if (d) return d;
    }
    for (const k of Object.keys(a)) if (!(k in e)) return `${path}.${k}: unexpected field (${show(a[k])})`;
    const ek = Object.keys(e).join(',');
    const ak = Object.keys(a).join(',');
    if (ek !== ak) return `${path}: key order differs: expected ${ek}, got ${ak}`;
    return null;
  }
  return `${path}: expected ${show(expected)}, got ${show(actual)}`;
}
