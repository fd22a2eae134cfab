import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { PUBLIC_KEY } from './auth.decorators';
import type { AuthenticatedRequest } from './auth.guard';

/**
 * Rate limit per identity (the token's subject), so one noisy client cannot starve the
 * others behind the same address, and one client cannot escape by spreading over several.
 * Runs after AuthGuard (registered after it), which has set the identity. Public routes
 * (probes, scrapes, documents) and Kafka handlers are not limited.
 */
@Injectable()
export class IdentityThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return (
      this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const { identity, ip } = req as unknown as AuthenticatedRequest;
    return identity ? `sub:${identity.sub}` : `ip:${ip}`;
  }
}
