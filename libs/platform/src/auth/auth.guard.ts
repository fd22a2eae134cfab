import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { hasRole, Identity, Role } from './identity';
import { JwtVerifier } from './jwt.verifier';

export type AuthenticatedRequest = Request & { identity?: Identity };

/** A compact JWS: three base64url parts (the signature part may not be empty). */
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * The global guard of every HTTP route (APP_GUARD). A route must say who may call it:
 * `@Public()`, or `@Roles(...)` with a valid bearer token holding one of the roles. A route
 * that says neither is denied to everyone (fail closed), so a new endpoint cannot be
 * exposed by forgetting the annotation. 401: no token, or one that does not verify; 403:
 * a verified caller without the role. Kafka handlers are not HTTP: the broker's own
 * authentication and ACLs guard the topics.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JwtVerifier) private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0)
      throw new ForbiddenException('this route declares no access rule and is closed');

    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (header === undefined) this.unauthorized(http.getResponse(), 'a bearer token is required');
    const match = BEARER.exec(header!);
    if (!match) this.unauthorized(http.getResponse(), 'Authorization must be "Bearer <JWT>"');
    const verified = await this.verifier.verify(match![1]);
    if (!verified.ok) this.unauthorized(http.getResponse(), verified.reason);
    const identity = (verified as { identity: Identity }).identity;
    req.identity = identity;
    if (!hasRole(identity, ...roles))
      throw new ForbiddenException(
        `requires the role ${roles.join(' or ')}; the token has ${identity.roles.join(', ')}`,
      );
    return true;
  }

  private unauthorized(res: Response, reason: string): never {
    // RFC 6750: tell the client which scheme, and why the token was refused.
    res.setHeader(
      'WWW-Authenticate',
      `Bearer realm="customs", error="invalid_token", error_description="${reason.replace(/"/g, "'")}"`,
    );
    throw new UnauthorizedException(reason);
  }
}
