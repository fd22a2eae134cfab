import { ensureAuthKeys, mintToken, TokenClaims } from '../../libs/stack/src/auth-keys';

// Before any spec starts a service: the services read the public key at start.
ensureAuthKeys();

/**
 * Bearer tokens for the e2e tests, minted with the local stack's key (created on first use,
 * as `customs stack up` does), one per identity and cached for the run.
 */
const cache = new Map<string, Promise<string>>();

export function token(claims: TokenClaims): Promise<string> {
  const key = JSON.stringify(claims);
  let t = cache.get(key);
  if (!t) {
    t = mintToken(claims, { ttl: '2h' });
    cache.set(key, t);
  }
  return t;
}

export async function bearer(claims: TokenClaims): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await token(claims)}` };
}

/** Admin: every route except the officers' own actions; the default of the older specs. */
export const asAdmin = () => bearer({ sub: 'e2e-admin', roles: ['admin'] });
export const asOfficer = (sub = 'officer.e2e') => bearer({ sub, roles: ['officer'] });
export const asAuditor = (sub = 'auditor.e2e') => bearer({ sub, roles: ['auditor'] });
export const asPaymentSystem = (sub = 'payments.e2e') => bearer({ sub, roles: ['payment-system'] });
export const asDeclarant = (declarantId: string, sub = `declarant.${declarantId}`) =>
  bearer({ sub, roles: ['declarant'], declarantId });
export const asBorderPost = (borderPost: string, sub = `post.${borderPost}`) =>
  bearer({ sub, roles: ['border-post'], borderPost });
