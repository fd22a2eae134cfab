import { ForbiddenException } from '@nestjs/common';
import { Identity, identityFromClaims } from './identity';
import {
  actingOfficer,
  mayReadDeclaration,
  requireMayLodge,
  requireOwnDeclarantId,
  requireOwner,
  feedKind,
  requireReadFeed,
} from './ownership';

const declarant: Identity = { sub: 'u1', roles: ['declarant'], declarantId: 'NL123456789' };
const post: Identity = { sub: 'bp', roles: ['border-post'], borderPost: 'NL-RTM' };
const officer: Identity = { sub: 'OFFICER-1', roles: ['officer'] };
const auditor: Identity = { sub: 'aud', roles: ['auditor'] };
const admin: Identity = { sub: 'root', roles: ['admin'] };

describe('identityFromClaims', () => {
  it('keeps the known roles and the identity claims', () => {
    expect(
      identityFromClaims({ sub: 'u1', roles: ['declarant', 'x'], declarantId: 'NL123456789' }),
    ).toEqual({ ok: true, identity: declarant });
  });

  it.each([
    [{ roles: ['officer'] }, /sub/],
    [{ sub: 'a b', roles: ['officer'] }, /sub/],
    [{ sub: 'a', roles: 'officer' }, /roles/],
    [{ sub: 'a', roles: [] }, /roles must include/],
    [{ sub: 'a', roles: ['border-post'] }, /borderPost/],
    [{ sub: 'a', roles: ['declarant'], declarantId: { $ne: null } }, /declarantId/],
    [{ sub: 'a', roles: ['declarant'], declarantId: 'nl1' }, /declarantId/],
  ])('refuses %j', (claims, reason) => {
    const r = identityFromClaims(claims as Record<string, unknown>);
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(reason);
  });
});

describe('ownership', () => {
  const d = { mrn: 'M', declarantId: 'NL123456789', borderPost: 'NL-RTM' };

  it('lets owners, their border post, officers, auditors and admins read a declaration', () => {
    for (const who of [declarant, post, officer, auditor, admin])
      expect(mayReadDeclaration(who, d)).toBe(true);
    expect(mayReadDeclaration({ ...declarant, declarantId: 'NL999' }, d)).toBe(false);
    expect(mayReadDeclaration({ ...post, borderPost: 'DE-X' }, d)).toBe(false);
    expect(mayReadDeclaration({ sub: 'p', roles: ['payment-system'] }, d)).toBe(false);
  });

  it('lets a declarant lodge for itself and a border post at its post only', () => {
    const body = { declarant: { id: 'NL123456789' }, borderPost: 'NL-RTM' };
    expect(() => requireMayLodge(declarant, body)).not.toThrow();
    expect(() => requireMayLodge(post, body)).not.toThrow();
    expect(() => requireMayLodge(admin, 'not even an object')).not.toThrow();
    expect(() => requireMayLodge(declarant, { declarant: { id: 'NL999' } })).toThrow(
      /declarant.id must be your declarant id NL123456789/,
    );
    expect(() => requireMayLodge(post, { ...body, borderPost: 'DE-X' })).toThrow(
      /borderPost must be your border post NL-RTM/,
    );
    // Odd types are refused, not coerced later into someone's id.
    expect(() => requireMayLodge(declarant, { declarant: { id: ['NL123456789'] } })).toThrow(
      ForbiddenException,
    );
    expect(() => requireMayLodge(declarant, { declarant: { id: { $ne: null } } })).toThrow(
      ForbiddenException,
    );
    expect(() => requireMayLodge(post, null)).toThrow(ForbiddenException);
  });

  it('lets only the owning declarant or an admin change a declaration', () => {
    expect(() => requireOwner(declarant, d)).not.toThrow();
    expect(() => requireOwner(admin, d)).not.toThrow();
    for (const who of [post, officer, auditor, { ...declarant, declarantId: 'NL999' }])
      expect(() => requireOwner(who, d)).toThrow(ForbiddenException);
    expect(() => requireOwnDeclarantId(declarant, 'NL123456789')).not.toThrow();
    expect(() => requireOwnDeclarantId(declarant, 'NL999')).toThrow(/not your declarant id/);
  });

  it('gives each feed to its recipient, and all feeds to officers, auditors, admins', () => {
    expect(() => requireReadFeed(post, 'NL-RTM')).not.toThrow();
    expect(() => requireReadFeed(declarant, 'NL123456789')).not.toThrow();
    for (const who of [officer, auditor, admin])
      expect(() => requireReadFeed(who, 'any')).not.toThrow();
    expect(() => requireReadFeed(post, 'NL123456789')).toThrow(/not yours/);
    expect(() => requireReadFeed(declarant, 'NL-RTM')).toThrow(ForbiddenException);
  });

  it('takes the acting officer from the token and refuses another claimed id', () => {
    expect(actingOfficer(officer, {})).toBe('OFFICER-1');
    expect(actingOfficer(officer, { header: 'OFFICER-1', body: 'OFFICER-1' })).toBe('OFFICER-1');
    expect(() => actingOfficer(officer, { header: 'OFFICER-2' })).toThrow(
      /X-Officer-Id 'OFFICER-2' is not the authenticated officer 'OFFICER-1'/,
    );
    expect(() => actingOfficer(officer, { body: 'chief' })).toThrow(/officerId 'chief'/);
  });
});

describe('typed notification feeds', () => {
  const both: Identity = {
    sub: 'x',
    roles: ['declarant', 'border-post'],
    declarantId: 'NL123456789',
    borderPost: 'NL-RTM',
  };

  it('reads a feed only as the kind of recipient the caller is', () => {
    expect(() => requireReadFeed(post, 'NL-RTM', 'border-post')).not.toThrow();
    expect(() => requireReadFeed(post, 'NL-RTM', 'declarant')).toThrow(
      /the feed of declarant NL-RTM is not yours/,
    );
    expect(() => requireReadFeed(declarant, 'NL123456789', 'declarant')).not.toThrow();
    expect(() => requireReadFeed(declarant, 'NL123456789', 'border-post')).toThrow(
      ForbiddenException,
    );
    expect(() => requireReadFeed(officer, 'anyone', 'border-post')).not.toThrow();
  });

  it('infers the kind only when the caller can be one kind alone', () => {
    expect(feedKind(post)).toBe('border-post');
    expect(feedKind(declarant)).toBe('declarant');
    expect(feedKind(both)).toBeUndefined();
    expect(feedKind(officer)).toBeUndefined();
    expect(feedKind(officer, 'declarant')).toBe('declarant');
    expect(feedKind(post, 'declarant')).toBe('declarant'); // then refused by requireReadFeed
  });
});
