import { intakeBorderPosts } from './border-posts.registry';

describe("intake's border posts", () => {
  it("knows the local posts, and the e2e runs' throw-away posts outside production", () => {
    const local = intakeBorderPosts({});
    for (const id of ['NL-RTM-MAASVLAKTE', 'NL-AMS-SCHIPHOL', 'NL-VNL-VENLO', 'BP-E2E-X1'])
      expect(local.has(id)).toBe(true);
    expect(local.has('NL-RTM-NOWHERE')).toBe(false);
  });

  it('takes no test post in production mode', () => {
    const production = intakeBorderPosts({ CUSTOMS_ENV: 'production' });
    expect(production.has('NL-RTM-MAASVLAKTE')).toBe(true);
    expect(production.has('BP-E2E-X1')).toBe(false);
    expect(production.has('BP-AUTH-A-X1')).toBe(false);
  });
});
