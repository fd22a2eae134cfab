import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every error into "Internal server error". The Kafka
 * transport needs the error itself (its `retryable` flag, its code) to choose between
 * retrying and dead-lettering, so event handlers' errors pass through untouched; HTTP
 * errors get Nest's usual treatment.
 */
@Catch()
export class RethrowRpcFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
