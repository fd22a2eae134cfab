import type { NextFunction, Request, Response } from 'express';
import { forbiddenKeys } from '@customs/contracts';

/** The deepest nesting of objects and arrays a request body may have. */
export const MAX_BODY_DEPTH = 64;

/** Depth of a parsed JSON value, iteratively (a recursive walk is what deep bodies break). */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const d = depth + 1;
    if (d > max) max = d;
    if (max > stopAbove) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d]);
  }
  return max;
}

/**
 * Refuses bodies nested deeper than `maxDepth` with 400 before any validator walks them:
 * validation and transformation recurse, and a body of a few kilobytes nested thousands of
 * levels deep would exhaust the stack (a 500) or the CPU. No real document is that deep.
 */
export function bodyDepthLimit(maxDepth = MAX_BODY_DEPTH) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (jsonDepth(req.body, maxDepth) > maxDepth) {
      res.status(400).json({
        statusCode: 400,
        error: 'Bad Request',
        message: `request body nests deeper than ${maxDepth} levels`,
      });
      return;
    }
    next();
  };
}

/**
 * Refuses a JSON body carrying a `__proto__`, `constructor` or `prototype` key at any depth
 * with 400, naming the paths, before any handler or validator copies it (JSON.parse makes
 * `__proto__` an own property, which the unknown-field checks do not see). No contract has
 * fields of these names.
 */
export function forbiddenBodyKeys() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const found = forbiddenKeys(req.body);
    if (found.length > 0) {
      res.status(400).json({
        statusCode: 400,
        error: 'Bad Request',
        message: `request body has keys that are not allowed: ${found.map((f) => f.path).join(', ')}`,
        paths: found.map((f) => f.path),
      });
      return;
    }
    next();
  };
}
