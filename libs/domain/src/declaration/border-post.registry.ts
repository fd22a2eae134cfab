/** One border post of the registry: the id declarations and notifications name. */
export interface BorderPost {
  id: string;
  name: string;
  country: string;
}

/** The registry as reference data ships it (versioned like the other reference data). */
export interface BorderPostRegistryData {
  version: string;
  borderPosts: BorderPost[];
  /**
   * Id prefixes of throw-away posts that test runs create (`BP-E2E-<run>`): accepted only
   * when the registry is built with `allowTestPosts` (never in production mode).
   */
  localTestPrefixes?: string[];
}

/** Which border posts exist: a declaration naming any other is refused at intake. */
export class BorderPostRegistry {
  private readonly ids: ReadonlySet<string>;
  private readonly testPrefixes: readonly string[];

  constructor(
    readonly data: BorderPostRegistryData,
    options: { allowTestPosts?: boolean } = {},
  ) {
    this.ids = new Set(data.borderPosts.map((p) => p.id));
    this.testPrefixes = options.allowTestPosts ? (data.localTestPrefixes ?? []) : [];
  }

  get version(): string {
    return this.data.version;
  }

  has(id: string): boolean {
    if (this.ids.has(id)) return true;
    // A prefix alone is not a post: the run id must follow it.
    return this.testPrefixes.some((p) => id.length > p.length && id.startsWith(p));
  }
}
