/**
 * Keys no document may carry, at any depth: `__proto__`, `constructor` and `prototype` are
 * how prototype pollution gets in (JSON.parse makes `__proto__` an own property, which a
 * later merge or copy turns into the prototype). No field of any contract has these names,
 * so refusing them costs nothing and does not depend on every reader being careful.
 */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

const FORBIDDEN = new Set(FORBIDDEN_KEYS);

const childPath = (parent: string, key: string | number) =>
  typeof key === 'number'
    ? `${parent}[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? parent
        ? `${parent}.${key}`
        : key
      : `${parent}[${JSON.stringify(key)}]`;

/**
 * The forbidden keys in a parsed JSON value with their paths (`items[0].__proto__`), at
 * most `limit` of them: an object's own keys before what is nested in it, children in
 * document order. Iterative: a deep body cannot exhaust the stack.
 */
export function forbiddenKeys(value: unknown, limit = 10): { path: string; key: string }[] {
  const found: { path: string; key: string }[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && found.length < limit) {
    const [v, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const children: [unknown, string][] = [];
    if (Array.isArray(v)) v.forEach((c, i) => children.push([c, childPath(path, i)]));
    else
      for (const key of Object.keys(v)) {
        const p = childPath(path, key);
        if (FORBIDDEN.has(key)) {
          found.push({ path: p, key });
          if (found.length >= limit) break;
          continue;
        }
        children.push([(v as Record<string, unknown>)[key], p]);
      }
    // Pushed in reverse, so the first child is walked first (document order).
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return found;
}
