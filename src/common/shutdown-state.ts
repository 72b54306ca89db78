import { Injectable } from '@nestjs/common';
import { Clock } from './clock';

// Whether this process was told to stop. Once it is draining, readiness answers 503 so that the proxy sends new
// requests to another instance, and every response closes its connection, while the requests already sent are
// still answered (src/graceful-shutdown.ts).
@Injectable()
export class ShutdownState {
  private since: Date | null = null;

  constructor(private readonly clock: Clock) {}

  get draining(): boolean {
    return this.since !== null;
  }

  get drainingSince(): Date | null {
    return this.since;
  }

  beginDraining(): void {
    this.since ??= this.clock.now();
  }
}
