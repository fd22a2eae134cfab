import { validateDeclarationStructure } from './declaration-structure.validator';
import { forbiddenKeys } from './forbidden-keys';

describe('forbidden keys (__proto__, constructor, prototype)', () => {
  it('finds them at any depth, as JSON.parse leaves them (own properties), with their paths', () => {
    const body = JSON.parse(
      '{"a":1,"__proto__":{"polluted":true},"items":[{"x":1},{"constructor":{"prototype":1}}],' +
        '"o":{"prototype":2,"we ird":{"__proto__":3}}}',
    ) as unknown;
    expect(forbiddenKeys(body)).toEqual([
      { path: '__proto__', key: '__proto__' },
      { path: 'items[1].constructor', key: 'constructor' },
      { path: 'o.prototype', key: 'prototype' },
      { path: 'o["we ird"].__proto__', key: '__proto__' },
    ]);
    // Nothing was polluted by parsing.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('finds nothing in an ordinary document, and stops at the limit', () => {
    expect(forbiddenKeys({ a: [{ b: 'constructor' }], prototypes: 1, proto: 2 })).toEqual([]);
    expect(forbiddenKeys(null)).toEqual([]);
    const many = JSON.parse(
      `[${Array.from({ length: 20 }, () => '{"__proto__":1}').join(',')}]`,
    ) as unknown;
    expect(forbiddenKeys(many, 3).map((f) => f.path)).toEqual([
      '[0].__proto__',
      '[1].__proto__',
      '[2].__proto__',
    ]);
  });

  it('walks a very deep body without recursion', () => {
    const deep = `${'{"a":'.repeat(20000)}{"constructor":1}${'}'.repeat(20000)}`;
    const found = forbiddenKeys(JSON.parse(deep) as unknown);
    expect(found).toHaveLength(1);
    expect(found[0].key).toBe('constructor');
  });

  it('makes the structure layer refuse a declaration carrying one, naming the path', () => {
    const declaration = JSON.parse(
      '{"lrn":"L1","declarant":{"id":"NL1","__proto__":{"id":"NL2"}},"items":[{"prototype":1}]}',
    ) as unknown;
    const r = validateDeclarationStructure(declaration);
    expect(r).toEqual({
      ok: false,
      reasons: [
        {
          code: 'FORBIDDEN_KEY',
          path: 'declarant.__proto__',
          message: 'declarant.__proto__: a key named __proto__ is not allowed in a declaration',
        },
        {
          code: 'FORBIDDEN_KEY',
          path: 'items[0].prototype',
          message: 'items[0].prototype: a key named prototype is not allowed in a declaration',
        },
      ],
    });
  });
});
