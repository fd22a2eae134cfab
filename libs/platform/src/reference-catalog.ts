import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ReferenceVersion, ReferenceVersionRepository } from '@customs/persistence';

export function contentSha256(content: unknown): string {
  return createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
}

/**
 * The versions of one kind of reference data a service judges by: the shipped seed plus
 * every imported version, parsed once and cached; refreshed from the store at most every
 * `refreshMs`, so a version imported by `customs reference import` is picked up without a
 * restart. Which version applies is the caller's decision (by effective date).
 */
export class ReferenceCatalog<T> {
  private cache: { at: number; items: T[] } | null = null;
  private readonly parsed = new Map<string, T>();

  constructor(
    private readonly repository: ReferenceVersionRepository,
    private readonly kind: string,
    private readonly seed: readonly T[],
    private readonly parse: (v: ReferenceVersion<unknown>) => T,
    private readonly refreshMs = 5000,
  ) {}

  async all(): Promise<T[]> {
    if (this.cache && Date.now() - this.cache.at < this.refreshMs) return this.cache.items;
    const stored = await this.repository.list<unknown>(this.kind);
    const items = [...this.seed];
    for (const v of stored) {
      const key = `${v.version}:${v.sha256}`;
      let item = this.parsed.get(key);
      if (!item) {
        item = this.parse(v);
        this.parsed.set(key, item);
      }
      items.push(item);
    }
    this.cache = { at: Date.now(), items };
    return items;
  }

  /** Forget the cache (after an import through the service's own API). */
  invalidate(): void {
    this.cache = null;
  }
}
