import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  domainFor,
  seedAgreements,
  seedCustomers,
  stableId,
  type SandboxAgreement,
  type SandboxCustomer,
} from './sandbox-seed';

// What the sandbox remembers across restarts, kept in one JSON file. Access tokens and sign-in codes live only
// in memory: after a restart the app's cached tokens are refused and renewed, as after a real token expiry.

export interface SandboxAppRegistration {
  tenantId: string;
  appId: string;
  appSecret: string;
  partnerUser: string;
}

// A partner-confirmed agreement (Microsoft's Agreement resource). A direct acceptance is not one: Partner Center
// reports it only as directSignedMicrosoftCustomerAgreementStatus.
// Where an attestation stands in the sandbox, as its API reports it (not the app's AttestationState).
export type SandboxAttestationStatus = 'pending' | 'accepted' | 'expired';

// An enhanced attestation: made without a customer (the documented create fields name none), bound to one when
// its agreement is created.
export interface SandboxAttestation {
  id: string;
  customerTenantId: string | null;
  signatoryFirstName: string;
  signatoryLastName: string;
  signatoryEmail: string;
  signatoryPhoneNumber: string | null;
  companyName: string;
  country: string;
  language: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

interface SandboxStateData {
  version: 2;
  appRegistration: SandboxAppRegistration;
  customers: SandboxCustomer[];
  attestations: SandboxAttestation[];
  refreshTokens: Record<string, { user: string; expiresAt: string }>;
}

export class SandboxState {
  private data: SandboxStateData;
  private index = new Map<string, SandboxCustomer>();
  private indexed: SandboxCustomer[] | null = null;
  private indexedLength = 0;

  // A new file is created exclusively: of two instances starting at once on one data folder, both keep the
  // registration of the one that wrote first.
  constructor(private readonly file: string) {
    this.data = existsSync(file) ? SandboxState.read(file) : SandboxState.fresh();
    if (!existsSync(file) && !this.create()) this.data = SandboxState.read(file);
  }

  private create(): boolean {
    mkdirSync(dirname(this.file), { recursive: true });
    try {
      writeFileSync(this.file, JSON.stringify(this.data, null, 1), { mode: 0o600, flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  // A broken file is not silently replaced: it holds the app registration the app's settings point at. A file of
  // version 1 (direct acceptances listed as agreements without a contact) is brought to version 2.
  private static read(file: string): SandboxStateData {
    try {
      const data = SandboxState.upgrade(JSON.parse(readFileSync(file, 'utf8')) as SandboxStateData | { version: 1 });
      if (
        data.version === 2 &&
        Array.isArray(data.customers) &&
        Array.isArray(data.attestations) &&
        typeof data.appRegistration?.appId === 'string'
      )
        return data;
    } catch {
      // reported below, with what to do
    }
    throw new Error(
      `The Partner Center sandbox state file ${file} is not valid: fix it, or delete it to start over with new sandbox credentials`,
    );
  }

  private static upgrade(data: SandboxStateData | { version: 1 }): SandboxStateData {
    if (data.version !== 1) return data;
    const old = data as unknown as SandboxStateData;
    const seeded = seedAgreements();
    for (const customer of old.customers ?? []) {
      customer.agreements = (customer.agreements ?? []).filter(
        (agreement) => agreement.primaryContact !== null || agreement.attestationId !== null,
      );
      if (customer.agreements.length === 0) customer.agreements = seeded.get(customer.id) ?? [];
    }
    return { ...old, version: 2 };
  }

  private static fresh(): SandboxStateData {
    return {
      version: 2,
      appRegistration: {
        tenantId: randomUUID(),
        appId: randomUUID(),
        appSecret: randomBytes(30).toString('base64url'),
        partnerUser: 'admin@sandbox-partner.onmicrosoft.com',
      },
      customers: seedCustomers(),
      attestations: [],
      refreshTokens: {},
    };
  }

  // Written whole to a temporary file and renamed, so a crash never leaves half a file.
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data, null, 1), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  get appRegistration(): SandboxAppRegistration {
    return { ...this.data.appRegistration };
  }

  customers(): SandboxCustomer[] {
    return this.data.customers;
  }

  // By id through an index, built again whenever the list was replaced or grew (a bench adds customers straight to
  // customers()): a sync of 100,000 customers asks for each of them twice.
  customer(id: string): SandboxCustomer | undefined {
    const { customers } = this.data;
    if (this.indexed !== customers || this.indexedLength !== customers.length) {
      this.index = new Map();
      for (const customer of customers) if (!this.index.has(customer.id)) this.index.set(customer.id, customer);
      this.indexed = customers;
      this.indexedLength = customers.length;
    }
    return this.index.get(id);
  }

  addCustomer(input: { companyName: string; domain?: string; id?: string; directlySigned?: boolean }): SandboxCustomer {
    const customer: SandboxCustomer = {
      id: input.id ?? stableId(`customer:${input.companyName}:${this.data.customers.length}:${randomUUID()}`),
      companyName: input.companyName,
      domain: input.domain ?? domainFor(input.companyName),
      directlySigned: false,
      agreements: [],
    };
    this.data.customers.push(customer);
    if (input.directlySigned) this.setDirectAcceptance(customer.id, true);
    this.save();
    return customer;
  }

  removeCustomer(id: string): boolean {
    const before = this.data.customers.length;
    this.data.customers = this.data.customers.filter((customer) => customer.id !== id);
    this.save();
    return this.data.customers.length < before;
  }

  setDirectAcceptance(id: string, signed: boolean): void {
    const customer = this.customer(id);
    if (!customer) throw new Error(`No sandbox customer ${id}`);
    customer.directlySigned = signed;
    this.save();
  }

  attestation(id: string): SandboxAttestation | undefined {
    return this.data.attestations.find((attestation) => attestation.id === id);
  }

  addAttestation(attestation: SandboxAttestation): void {
    this.data.attestations.push(attestation);
    this.save();
  }

  acceptAttestation(id: string, at: Date): void {
    const attestation = this.attestation(id);
    if (!attestation) throw new Error(`No sandbox attestation ${id}`);
    attestation.acceptedAt = at.toISOString();
    this.save();
  }

  // The link runs out now (tests and demos of an expired link).
  expireAttestation(id: string, at: Date): void {
    const attestation = this.attestation(id);
    if (!attestation) throw new Error(`No sandbox attestation ${id}`);
    attestation.expiresAt = at.toISOString();
    this.save();
  }

  addAgreement(customerId: string, agreement: SandboxAgreement): void {
    const customer = this.customer(customerId);
    if (!customer) throw new Error(`No sandbox customer ${customerId}`);
    customer.agreements.push(agreement);
    this.save();
  }

  bindAttestation(id: string, customerTenantId: string): void {
    const attestation = this.attestation(id);
    if (attestation) attestation.customerTenantId = customerTenantId;
  }

  addRefreshToken(token: string, user: string, expiresAt: Date, now: number): void {
    for (const [key, entry] of Object.entries(this.data.refreshTokens))
      if (Date.parse(entry.expiresAt) <= now) delete this.data.refreshTokens[key];
    this.data.refreshTokens[token] = { user, expiresAt: expiresAt.toISOString() };
    this.save();
  }

  refreshTokenUser(token: string, now: number): string | null {
    const entry = Object.hasOwn(this.data.refreshTokens, token) ? this.data.refreshTokens[token] : undefined;
    return entry && Date.parse(entry.expiresAt) > now ? entry.user : null;
  }
}
