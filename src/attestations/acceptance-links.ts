import { Injectable } from '@nestjs/common';
import { AppUrl } from '../common/app-url';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { componentUrl } from '../partner-center/partner-center.assumed';
import type { EnhancedAttestation, PartnerCenterMode } from '../partner-center/partner-center.types';
import { sandboxComponentTemplate } from '../partner-center/sandbox/partner-center-sandbox';

export const AGREEMENT_PAGE_PATH = '/agreement';

// The two addresses of an attestation. Microsoft describes an embeddable component that partners show in their own
// checkout flow, built from the attestation's id ("Construct the URL of the embeddable component ... using the
// parameterized link provided by Microsoft", integrate-sandbox-confirm-customer-accept): the customer's link is a
// public page of this app (at PUBLIC_URL) that frames that component.
@Injectable()
export class AcceptanceLinks {
  private readonly liveTemplate: string | null;

  constructor(
    private readonly appUrl: AppUrl,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.liveTemplate = config.partnerCenterComponentUrl ?? null;
  }

  customerLink(pcAttestationId: string): string {
    return `${this.appUrl.base()}${AGREEMENT_PAGE_PATH}/${encodeURIComponent(pcAttestationId)}`;
  }

  // Microsoft's link when its answer carried one; otherwise built from the component's template (the sandbox's, or
  // PARTNER_CENTER_COMPONENT_URL in live mode); null when live mode has neither.
  componentUrl(mode: PartnerCenterMode, created: EnhancedAttestation, language: string): string | null {
    if (created.componentUrl) return created.componentUrl;
    if (mode === 'live') return this.liveComponentUrl(created.id, language);
    return componentUrl(sandboxComponentTemplate(this.appUrl.base()), created.id, language);
  }

  // For a live attestation made before PARTNER_CENTER_COMPONENT_URL was set: its component, once it is.
  liveComponentUrl(pcAttestationId: string, language: string): string | null {
    return this.liveTemplate ? componentUrl(this.liveTemplate, pcAttestationId, language) : null;
  }
}
