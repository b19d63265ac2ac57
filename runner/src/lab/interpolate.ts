/**
 * Docker Compose variable interpolation, so that ./lab reads docker-compose.yml exactly as `docker compose` does:
 * $$ (a literal $), $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt},
 * ${VAR+alt}, with nested expressions in defaults. Unlike compose (which warns and substitutes ""), an unset
 * variable without a default is an error: a silently empty budget or token is worse than a refusal.
 */
export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(
  input: string,
  env: Readonly<Record<string, string | undefined>>,
  where = '',
): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = findClose(input, i + 2);
      if (end === -1) throw new InterpolationError(`${where}: unclosed "\${" in "${input}"`);
      out += expand(input.slice(i + 2, end), env, where);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(input.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    out += lookup(m[0], env, where);
    i += 1 + m[0].length;
  }
  return out;
}

function findClose(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function lookup(name: string, env: Readonly<Record<string, string | undefined>>, where: string): string {
  const v = env[name];
  if (v === undefined) throw new InterpolationError(`${where}: variable ${name} is not set (add it to .env)`);
  return v;
}

function expand(expr: string, env: Readonly<Record<string, string | undefined>>, where: string): string {
  const m = NAME.exec(expr);
  if (!m) throw new InterpolationError(`${where}: bad substitution "\${${expr}}"`);
  const name = m[0];
  const rest = expr.slice(name.length);
  const value = env[name];
  if (rest === '') return lookup(name, env, where);
  const op = rest.startsWith(':') ? rest.slice(0, 2) : rest.slice(0, 1);
  const arg = rest.slice(op.length);
  const unset = value === undefined;
  const emptyOrUnset = unset || value === '';
  switch (op) {
    case ':-':
      return emptyOrUnset ? interpolate(arg, env, where) : value!;
    case '-':
      return unset ? interpolate(arg, env, where) : value!;
    case ':?':
      if (emptyOrUnset) throw new InterpolationError(`${where}: ${name}: ${arg || 'required'}`);
      return value!;
    case '?':
      if (unset) throw new InterpolationError(`${where}: ${name}: ${arg || 'required'}`);
      return value!;
    case ':+':
      return emptyOrUnset ? '' : interpolate(arg, env, where);
    case '+':
      return unset ? '' : interpolate(arg, env, where);
    default:
      throw new InterpolationError(`${where}: bad substitution "\${${expr}}"`);
  }
}

/** Interpolates every string value (not keys) of a parsed YAML tree. */
export function interpolateTree(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
  where = '',
): unknown {
  if (typeof node === 'string') return interpolate(node, env, where);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, `${where}[${i}]`));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, env, where ? `${where}.${k}` : k);
    return out;
  }
  return node;
}
