// What this feature and the sync need of PartnerCenterModule, as injection tokens: the client behind the
// PartnerCenterApi interface, and the sandbox that runs with the app in sandbox mode.
export const PARTNER_CENTER_API = Symbol('PARTNER_CENTER_API');
export const PARTNER_CENTER_SANDBOX = Symbol('PARTNER_CENTER_SANDBOX');

export interface SandboxRegistration {
  readonly baseUrl: string;
  readonly running: boolean;
  appRegistration(): { tenantId: string; appId: string; appSecret: string };
  signInPartnerUser(): Promise<{ refreshToken: string; userPrincipalName: string }>;
}
