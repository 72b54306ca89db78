import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isHtmxRequest } from '../common/htmx';
import { TENANT_STATUS_LABELS } from '../tenants/tenant-status';
import type { TenantSummary } from '../tenants/tenants.repository';
import { STATE_LABELS } from './attestation-state';
import { ATTESTATION_TRAIL } from './attestation-view';
import type { Attestation } from './attestation.record';
import { AttestationsService } from './attestations.service';
import { COUNTRIES, DEFAULT_COUNTRY, DEFAULT_LANGUAGE, LANGUAGES } from './countries-languages';
import { FIELD_LIMITS, formValuesOf } from './attestation-input';

// The create form's data, for the modal (a fragment) and the full page alike.
@Injectable()
export class AttestationPages {
  constructor(private readonly attestations: AttestationsService) {}

  // A new attestation starts from the tenant (its name as the company) and the broker's usual country and
  // language; "Create a new link" starts from the expired or cancelled one's details.
  async initialValues(tenant: TenantSummary, source: Attestation | null): Promise<Record<string, string>> {
    if (source) return formValuesOf(source);
    const usual = await this.attestations.brokerDefaults();
    return {
      companyName: tenant.name,
      country: usual?.country ?? DEFAULT_COUNTRY,
      language: usual?.language ?? DEFAULT_LANGUAGE,
      autoFinalize: 'yes',
      emailLink: 'yes',
    };
  }

  form(req: Request, tenant: TenantSummary, values: Record<string, string>, requestToken: string) {
    const fragment = isHtmxRequest(req);
    // An acceptance older than the broker requires is no reason to hold back: it is why a new one is needed.
    const accepted = (tenant.status === 'attested' || tenant.status === 'direct') && !tenant.reacceptanceNeeded;
    return {
      title: `Create attestation for ${tenant.name}`,
      fragment,
      layout: fragment ? false : undefined,
      breadcrumbs: ATTESTATION_TRAIL,
      tenant,
      acceptedNotice: accepted
        ? `${tenant.name} already shows “${TENANT_STATUS_LABELS[tenant.status]}”. A new attestation is usually not needed.`
        : null,
      reacceptanceNotice: tenant.reacceptanceNeeded
        ? `${tenant.name}'s acceptance is older than the date your organisation requires: Partner Center needs a current acceptance before new orders.`
        : null,
      values,
      requestToken,
      countries: COUNTRIES,
      languages: LANGUAGES,
      limits: FIELD_LIMITS,
      action: `/tenants/${tenant.id}/attestations`,
    };
  }

  // A tenant with an open attestation: that one first, before any form is filled (a second would be refused).
  pending(req: Request, tenant: TenantSummary, attestation: Attestation) {
    const fragment = isHtmxRequest(req);
    return {
      title: `Create attestation for ${tenant.name}`,
      fragment,
      layout: fragment ? false : undefined,
      breadcrumbs: ATTESTATION_TRAIL,
      pending: true,
      tenant,
      attestation: {
        ...attestation,
        stateLabel: STATE_LABELS[attestation.state],
        linkUsable: attestation.state === 'awaiting_acceptance',
      },
      viewUrl: `/tenants/${tenant.id}/attestation`,
      cancelUrl: `/tenants/${tenant.id}/attestation/cancel`,
    };
  }

  created(req: Request, tenant: TenantSummary, attestation: Attestation) {
    const fragment = isHtmxRequest(req);
    return {
      title: `Attestation for ${tenant.name}`,
      fragment,
      layout: fragment ? false : undefined,
      breadcrumbs: ATTESTATION_TRAIL,
      created: true,
      tenant,
      attestation: { ...attestation, stateLabel: STATE_LABELS[attestation.state] },
      viewUrl: `/tenants/${tenant.id}/attestation`,
    };
  }
}
