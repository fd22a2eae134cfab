import { ForbiddenException } from '@nestjs/common';
import { NotificationRecipientKind } from '@customs/contracts';
import { hasRole, Identity } from './identity';

/**
 * Ownership rules shared by the controllers: which declarations and feeds a caller may touch
 * beyond what its role allows. Pure, so the matrix is unit-testable; each refusal says why.
 */

/** Officers, auditors and admins see every declaration; others only what is theirs. */
export function mayReadDeclaration(
  identity: Identity,
  declaration: { declarantId: string; borderPost?: string | null },
): boolean {
  if (hasRole(identity, 'officer', 'auditor', 'admin')) return true;
  if (hasRole(identity, 'declarant') && identity.declarantId === declaration.declarantId)
    return true;
  return (
    hasRole(identity, 'border-post') &&
    declaration.borderPost != null &&
    identity.borderPost === declaration.borderPost
  );
}

export function requireReadDeclaration(
  identity: Identity,
  declaration: { mrn: string; declarantId: string; borderPost?: string | null },
): void {
  if (!mayReadDeclaration(identity, declaration))
    throw new ForbiddenException(`${declaration.mrn} is not a declaration of ${identity.sub}`);
}

/**
 * Lodging: a declarant for itself only (body declarant.id), a border post for any declarant
 * at its own post (body borderPost), an admin for anyone. The raw body is checked, before
 * validation, and must carry the caller's value exactly (a missing or odd-typed field is
 * refused too, so no coercion later can turn it into someone else's).
 */
export function requireMayLodge(identity: Identity, body: unknown): void {
  if (hasRole(identity, 'admin')) return;
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const declarant = b.declarant as Record<string, unknown> | undefined;
  const declarantId =
    typeof declarant === 'object' && declarant !== null ? declarant.id : undefined;
  if (hasRole(identity, 'declarant') && declarantId === identity.declarantId) return;
  if (hasRole(identity, 'border-post') && b.borderPost === identity.borderPost) return;
  const problems: string[] = [];
  if (hasRole(identity, 'declarant'))
    problems.push(`declarant.id must be your declarant id ${identity.declarantId}`);
  if (hasRole(identity, 'border-post'))
    problems.push(`borderPost must be your border post ${identity.borderPost}`);
  throw new ForbiddenException(
    problems.length > 0 ? problems.join('; ') : 'you may not lodge declarations',
  );
}

/** Amendments and invalidation: the declarant that owns the declaration, or an admin. */
export function requireOwner(
  identity: Identity,
  declaration: { mrn: string; declarantId: string },
): void {
  if (hasRole(identity, 'admin')) return;
  if (hasRole(identity, 'declarant') && identity.declarantId === declaration.declarantId) return;
  throw new ForbiddenException(
    `only the declarant of ${declaration.mrn} may change it; you are ${identity.sub}`,
  );
}

/** A declarant naming a declarant id in a body must name its own. */
export function requireOwnDeclarantId(identity: Identity, declarantId: unknown): void {
  if (hasRole(identity, 'admin')) return;
  if (hasRole(identity, 'declarant') && declarantId === identity.declarantId) return;
  throw new ForbiddenException(
    `declarantId ${JSON.stringify(declarantId)} is not your declarant id ${identity.declarantId ?? '(none)'}`,
  );
}

/**
 * Notification feeds: officers, auditors, admins read any; others their own id only, and
 * with `kind` only as that kind of recipient (a declarant's feed to a declarant, a border
 * post's to that border post).
 */
export function requireReadFeed(
  identity: Identity,
  recipient: string,
  kind?: NotificationRecipientKind,
): void {
  if (hasRole(identity, 'officer', 'auditor', 'admin')) return;
  if (
    kind !== 'border-post' &&
    hasRole(identity, 'declarant') &&
    recipient === identity.declarantId
  )
    return;
  if (kind !== 'declarant' && hasRole(identity, 'border-post') && recipient === identity.borderPost)
    return;
  throw new ForbiddenException(
    `the feed of ${kind ? `${kind} ` : ''}${recipient} is not yours (${identity.sub})`,
  );
}

/**
 * Which kind of recipient a feed request is for: the one asked, else the one the caller can
 * only be (a declarant, or a border post, not both). Undefined when the caller may read
 * either (officers, auditors, admins, or an identity holding both roles).
 */
export function feedKind(
  identity: Identity,
  asked?: NotificationRecipientKind,
): NotificationRecipientKind | undefined {
  if (asked) return asked;
  if (hasRole(identity, 'officer', 'auditor', 'admin')) return undefined;
  const declarant = hasRole(identity, 'declarant');
  const post = hasRole(identity, 'border-post');
  return declarant && !post ? 'declarant' : post && !declarant ? 'border-post' : undefined;
}

/**
 * The acting officer of an audit trail is the token's subject. A request may still name it
 * (X-Officer-Id, officerId: older clients); naming anyone else is refused, never obeyed.
 */
export function actingOfficer(
  identity: Identity,
  claimed: { header?: string; body?: string },
): string {
  for (const [where, value] of [
    ['X-Officer-Id', claimed.header],
    ['officerId', claimed.body],
  ] as const) {
    if (value !== undefined && value !== identity.sub)
      throw new ForbiddenException(
        `${where} '${value}' is not the authenticated officer '${identity.sub}'`,
      );
  }
  return identity.sub;
}
