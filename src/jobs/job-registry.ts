import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { JobType, type JobDeclaration, type JobHandler } from './job-handler';

// Handlers are stored with their payload type erased: each one parses its own payload before handling it.
type AnyJobHandler = JobHandler<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AnyDeclaration = JobDeclaration<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Registered {
  declaration: AnyDeclaration;
  handler: AnyJobHandler;
}

// The job types this process can run: every provider marked @JobHandler, found when the app starts.
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly registered = new Map<string, Registered>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobType.KEY })) {
      const declaration = this.discovery.getMetadataByDecorator(JobType, wrapper);
      if (declaration && wrapper.instance) this.register(declaration, wrapper.instance as AnyJobHandler);
    }
  }

  // Also for tests and benches, which run handlers of their own.
  register(declaration: AnyDeclaration, handler: AnyJobHandler): void {
    if (this.registered.has(declaration.type)) {
      throw new Error(`A handler for job type "${declaration.type}" is already registered`);
    }
    this.registered.set(declaration.type, { declaration, handler });
  }

  get(type: string): JobHandler<unknown> | undefined {
    return this.registered.get(type)?.handler;
  }

  declaration(type: string): AnyDeclaration | undefined {
    return this.registered.get(type)?.declaration;
  }

  declarations(): AnyDeclaration[] {
    return [...this.registered.values()].map(({ declaration }) => declaration);
  }

  types(): string[] {
    return [...this.registered.keys()];
  }
}
