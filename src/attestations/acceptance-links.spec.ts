import type { AppUrl } from '../common/app-url';
import type { AppConfig } from '../config/app.config';
import type { EnhancedAttestation } from '../partner-center/partner-center.types';
import { AcceptanceLinks } from './acceptance-links';

const APP = { base: () => 'https://mca.example.com' } as AppUrl;
const config = (partnerCenterComponentUrl?: string) => ({ partnerCenterComponentUrl }) as AppConfig;
const created = (componentUrl: string | null = null): EnhancedAttestation => ({
  id: 'pc 1',
  status: 'pending',
  componentUrl,
  expiresAt: null,
  acceptedAt: null,
});

describe(AcceptanceLinks.name, () => {
  it("should give the customer this app's page for the attestation", () => {
    expect(new AcceptanceLinks(APP, config()).customerLink('pc 1')).toBe('https://mca.example.com/agreement/pc%201');
  });

  it("should frame Microsoft's link when its answer has one, whatever the mode", () => {
    const links = new AcceptanceLinks(APP, config('https://component.example/?a={attestationId}'));
    expect(links.componentUrl('live', created('https://ms.example/accept/1'), 'de-DE')).toBe(
      'https://ms.example/accept/1',
    );
  });

  it("should build the component from the sandbox's template, or from PARTNER_CENTER_COMPONENT_URL in live mode", () => {
    expect(new AcceptanceLinks(APP, config()).componentUrl('sandbox', created(), 'de-DE')).toBe(
      'https://mca.example.com/sandbox/accept?attestationId=pc%201&language=de-DE',
    );
    const live = new AcceptanceLinks(APP, config('https://component.example/mca?id={attestationId}&lang={language}'));
    expect(live.componentUrl('live', created(), 'de-DE')).toBe('https://component.example/mca?id=pc%201&lang=de-DE');
  });

  it('should have no component in live mode without a link or a template, rather than guess a host', () => {
    const links = new AcceptanceLinks(APP, config());
    expect(links.componentUrl('live', created(), 'en-US')).toBeNull();
    expect(links.liveComponentUrl('pc 1', 'en-US')).toBeNull();
  });
});
