import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { runForBroker } from '../common/request-context';

// Runs the handler as the token, in its broker: BrokerScope and the audit trail read both from the request context,
// so the services the pages use serve the API unchanged.
@Injectable()
export class ApiContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<Request>().apiPrincipal!;
    return new Observable((subscriber) =>
      runForBroker(principal.brokerId, () => next.handle().subscribe(subscriber), principal.actor),
    );
  }
}
