import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Identity, Role } from './identity';

export const ROLES_KEY = 'customs:roles';
export const PUBLIC_KEY = 'customs:public';

/**
 * The roles that may call a route (on a method, or on a controller for all its routes; the
 * method's wins). Every HTTP route needs this or `@Public()`: the guard denies the rest.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token (health, metrics, API documents). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The verified caller of the request (set by the guard; routes with `@Roles` only). */
export const CurrentIdentity = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Identity => {
    const identity = ctx.switchToHttp().getRequest<{ identity?: Identity }>().identity;
    // Only reachable on a @Public route, where asking who is calling is a programming error.
    if (!identity) throw new Error('CurrentIdentity used on a route without @Roles');
    return identity;
  },
);
