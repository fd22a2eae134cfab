import { BadRequestException } from '@nestjs/common';

/** What an officer id may look like: a login name or a staff number, no spaces. */
export const OFFICER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Who is acting, until authentication exists (issue 8 brings JWT; the token's subject will
 * then be the only source and both of these go). Today: the `X-Officer-Id` header, or an
 * `officerId` body field; at least one, and the same one when both are given.
 */
export function resolveOfficerId(header: string | undefined, body: string | undefined): string {
  const problems: string[] = [];
  if (header !== undefined && !OFFICER_ID_PATTERN.test(header))
    problems.push('X-Officer-Id: must be 1-64 letters, digits, ".", "_", "@" or "-"');
  if (header !== undefined && body !== undefined && header !== body)
    problems.push(`officerId: '${body}' differs from the X-Officer-Id header '${header}'`);
  if (header === undefined && body === undefined)
    problems.push('officerId: the acting officer is required (X-Officer-Id header or officerId)');
  if (problems.length > 0) throw new BadRequestException(problems);
  return (header ?? body)!;
}
