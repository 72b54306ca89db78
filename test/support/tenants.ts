import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Broker } from '../../src/brokers/broker.entity';
import { Tenant } from '../../src/tenants/tenant.entity';
import type { TenantStatus } from '../../src/tenants/tenant-status';
import { User } from '../../src/users/user.entity';
import type { TestApp } from './test-app';

export interface TenantSeed {
  name?: string;
  domain?: string;
  microsoftTenantId?: string;
  status?: TenantStatus;
  acceptedAt?: Date | null;
  removedAt?: Date | null;
  attestationState?: string | null;
}

let sequence = 0;

// A tenant as the sync would store it: accepted statuses get an acceptance date unless one is given.
export function buildTenant(brokerId: number, seed: TenantSeed = {}): Partial<Tenant> {
  sequence += 1;
  const status = seed.status ?? 'none';
  const name = seed.name ?? `Tenant ${String(sequence).padStart(5, '0')}`;
  const accepted = status === 'attested' || status === 'direct';
  const acceptedAt =
    seed.acceptedAt !== undefined
      ? seed.acceptedAt
      : accepted
        ? new Date(Date.UTC(2025, 0, 1) + sequence * 3_600_000)
        : null;
  return {
    brokerId,
    name,
    domain: seed.domain ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.com`,
    microsoftTenantId: seed.microsoftTenantId ?? randomUUID(),
    status,
    directlySigned: status === 'direct',
    directSeenAt: status === 'direct' ? acceptedAt : null,
    partnerAccepted: status === 'attested',
    partnerAgreedAt: status === 'attested' ? acceptedAt : null,
    acceptanceCheckedAt: new Date(),
    acceptedAt,
    removedAt: seed.removedAt ?? null,
    // A pending tenant has an attestation behind it; seeded ones stand as accepted (ready to finalize).
    attestationState:
      seed.attestationState !== undefined ? seed.attestationState : status === 'pending' ? 'accepted' : null,
  };
}

export async function seedTenants(testApp: TestApp, brokerId: number, seeds: TenantSeed[]): Promise<Tenant[]> {
  const repo = testApp.app.get(DataSource).getRepository(Tenant);
  return repo.save(
    seeds.map((seed) => repo.create(buildTenant(brokerId, seed))),
    { chunk: 200 },
  );
}

export async function brokerIdOf(testApp: TestApp, email: string): Promise<number> {
  const user = await testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ email });
  return user.brokerId;
}

export async function createBroker(testApp: TestApp, name: string): Promise<number> {
  const repo = testApp.app.get(DataSource).getRepository(Broker);
  return (await repo.save(repo.create({ name }))).id;
}
