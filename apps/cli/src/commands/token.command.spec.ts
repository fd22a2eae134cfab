import { tokenClaimsFromOptions } from './token.command';

describe('customs token options', () => {
  const base = { role: ['officer'], sub: 'OFFICER-1', ttl: '1h' };

  it('builds the claims the services accept', () => {
    expect(tokenClaimsFromOptions(base)).toEqual({
      ok: true,
      claims: { sub: 'OFFICER-1', roles: ['officer'] },
      ttl: '1h',
    });
    expect(
      tokenClaimsFromOptions({
        ...base,
        role: ['declarant,auditor'],
        declarant: 'NL123456789',
        ttl: '900',
      }),
    ).toEqual({
      ok: true,
      claims: { sub: 'OFFICER-1', roles: ['declarant', 'auditor'], declarantId: 'NL123456789' },
      ttl: '900s',
    });
  });

  it('names every problem and mints nothing', () => {
    const r = tokenClaimsFromOptions({ ...base, role: ['officer', 'boss'], ttl: 'forever' });
    expect(r).toEqual({
      ok: false,
      problems: [
        '--role boss: unknown role (one of declarant, border-post, officer, auditor, admin, payment-system)',
        '--ttl forever: a duration such as 900, 30m, 1h, 7d',
      ],
    });
    expect(tokenClaimsFromOptions({ ...base, role: ['declarant'] })).toEqual({
      ok: false,
      problems: ['a declarant token needs a declarantId claim'],
    });
    expect(
      tokenClaimsFromOptions({ ...base, role: ['border-post'], borderPost: 'has space' }),
    ).toMatchObject({
      ok: false,
    });
  });
});
