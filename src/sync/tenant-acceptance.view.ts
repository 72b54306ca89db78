import { TENANT_STATUS_LABELS } from '../tenants/tenant-status';
import type { CheckedAcceptance } from './acceptance-check.service';

// The acceptance page's model: what Partner Center reports, in the list's words.
export function acceptanceView({ tenant, checked, failure }: CheckedAcceptance) {
  return {
    title: `Acceptance of ${tenant.name}`,
    tenant: {
      id: tenant.id,
      name: tenant.name,
      domain: tenant.domain,
      microsoftTenantId: tenant.microsoftTenantId,
      removed: tenant.removedAt !== null,
    },
    status: tenant.status,
    statusLabel: TENANT_STATUS_LABELS[tenant.status],
    reacceptanceNeeded: tenant.reacceptance !== null,
    direct: tenant.directlySigned ? { seenAt: tenant.directSeenAt } : null,
    partner: tenant.partnerAccepted
      ? {
          agreedAt: tenant.partnerAgreedAt,
          signatory: tenant.agreementSignatory,
          templateId: tenant.agreementTemplateId,
          outside: tenant.attestedOutside,
        }
      : null,
    checkedAt: tenant.acceptanceCheckedAt,
    checkedNow: checked && !failure,
    unconfirmed: failure ?? tenant.acceptanceUnconfirmed,
  };
}
