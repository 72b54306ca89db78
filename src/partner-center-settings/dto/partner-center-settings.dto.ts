import { IsIn } from 'class-validator';
import { TextField } from '../../common/text-field.decorators';
import type { PartnerCenterMode } from '../../partner-center/partner-center.types';

export const PARTNER_CENTER_MODES: readonly PartnerCenterMode[] = ['sandbox', 'live'];

// GUID checks depend on the mode and on what is stored, so they live in the service; here only shape and size.
export class PartnerCenterSettingsDto {
  @IsIn(PARTNER_CENTER_MODES, { message: 'Choose sandbox or live' })
  mode: PartnerCenterMode;

  @TextField('Tenant id', 64, { required: false })
  tenantId = '';

  @TextField('App id', 64, { required: false })
  appId = '';

  // Named like the filter's never-echoed fields, so a refused form never sends the secret back.
  @TextField('App secret', 1000, { required: false })
  clientSecret = '';
}

// "Require acceptance on or after": a date field (YYYY-MM-DD) or empty; its rules are the service's.
export class AcceptancePolicyDto {
  @TextField('Date', 10, { required: false })
  requireAcceptedFrom = '';
}
