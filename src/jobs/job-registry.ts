import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job-handler';

// Handlers are stored with their payload type erased: each one parses its own payload before handling it.
type AnyJobHandler = JobHandler<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The job types this process can run; each feature registers its handlers in its module's onModuleInit.
@Injectable()
export class JobRegistry {
  private readonly handlers = new Map<string, AnyJobHandler>();

  register(handler: AnyJobHandler): void {
    if (this.handlers.has(handler.type)) {
      throw new Error(`A handler for job type "${handler.type}" is already registered`);
    }
    this.handlers.set(handler.type, handler);
  }

  get(type: string): JobHandler<unknown> | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }
}
