// The broker's "Require acceptance on or after" date (Partner Center settings): an acceptance older than it needs
// a new one. The Partner Center settings feature sits beside tenants and provides it (PartnerCenterSettingsModule
// binds AcceptancePolicySource to its service): tenants never import it.
export abstract class AcceptancePolicySource {
  abstract requiredFrom(brokerId: number): Promise<Date | null>;
}

// Marks the broker's tenants again after its date changed (TenantWriter.markReacceptance), in short batches.
export const REACCEPTANCE_JOB = 'tenants.reacceptance';
export const reacceptanceKey = (brokerId: number): string => `reacceptance:${brokerId}`;
