/** The roles of the HTTP APIs (issue 8). */
export const ROLES = [
  'declarant',
  'border-post',
  'officer',
  'auditor',
  'admin',
  'payment-system',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified token: every field comes from signed claims. */
export interface Identity {
  sub: string;
  roles: Role[];
  /** Set for declarants: the EORI-like id their declarations carry as declarant.id. */
  declarantId?: string;
  /** Set for border posts: the post their declarations carry as borderPost. */
  borderPost?: string;
}

const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
const DECLARANT_ID = /^[A-Z]{2}[A-Z0-9]{1,15}$/;
const BORDER_POST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The identity in a verified token's claims, or the reason it is unusable: a token whose
 * claims do not say who the caller is (no role we know, a declarant without its id) is
 * refused as a whole rather than half-trusted.
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
): { ok: true; identity: Identity } | { ok: false; reason: string } {
  const { sub, roles, declarantId, borderPost } = claims;
  if (typeof sub !== 'string' || !SUBJECT.test(sub))
    return { ok: false, reason: 'sub must be 1-128 letters, digits, ".", "_", "@", ":" or "-"' };
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))
    return { ok: false, reason: 'roles must be an array of role names' };
  const known = (roles as string[]).filter((r): r is Role =>
    (ROLES as readonly string[]).includes(r),
  );
  if (known.length === 0)
    return { ok: false, reason: `roles must include one of ${ROLES.join(', ')}` };
  if (
    declarantId !== undefined &&
    (typeof declarantId !== 'string' || !DECLARANT_ID.test(declarantId))
  )
    return { ok: false, reason: 'declarantId must be 2 letters and up to 15 letters or digits' };
  if (borderPost !== undefined && (typeof borderPost !== 'string' || !BORDER_POST.test(borderPost)))
    return { ok: false, reason: 'borderPost must be 1-64 letters, digits, ".", "_" or "-"' };
  if (known.includes('declarant') && declarantId === undefined)
    return { ok: false, reason: 'a declarant token needs a declarantId claim' };
  if (known.includes('border-post') && borderPost === undefined)
    return { ok: false, reason: 'a border-post token needs a borderPost claim' };
  return {
    ok: true,
    identity: {
      sub,
      roles: [...new Set(known)],
      ...(declarantId !== undefined ? { declarantId: declarantId as string } : {}),
      ...(borderPost !== undefined ? { borderPost: borderPost as string } : {}),
    },
  };
}

export const hasRole = (identity: Identity, ...roles: Role[]): boolean =>
  identity.roles.some((r) => roles.includes(r));
