import { Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { flash } from '../common/flash';
import { PathId } from '../common/ids';
import { PartnerCenterError } from '../partner-center/partner-center.types';
import { AcceptanceCheckService } from './acceptance-check.service';
import { acceptanceView } from './tenant-acceptance.view';

// A tenant's acceptance as Partner Center reports it: checked again when the page opens (at most once a minute),
// and on demand with "Check with Microsoft".
@Controller('tenants/:id/acceptance')
export class TenantAcceptanceController {
  constructor(private readonly acceptance: AcceptanceCheckService) {}

  @Get()
  @Render('sync/acceptance')
  async page(@PathId('id') tenantId: number) {
    const result = await this.acceptance.check(tenantId, false).catch(async (error: unknown) => {
      // Partner Center not reachable at all (no user connected, settings missing): the page shows what is known.
      if (!(error instanceof PartnerCenterError)) throw error;
      return { tenant: await this.acceptance.tenant(tenantId), checked: false, failure: error.message };
    });
    return acceptanceView(result);
  }

  @Post('check')
  @Roles('admin', 'operator')
  @Redirect('.', 303)
  async check(@PathId('id') tenantId: number, @Req() req: Request) {
    try {
      const { failure } = await this.acceptance.check(tenantId, true);
      if (failure) flash(req, 'error', `Microsoft did not confirm the acceptance: ${failure}`);
      else flash(req, 'success', 'Checked with Microsoft just now.');
    } catch (error) {
      if (!(error instanceof PartnerCenterError)) throw error;
      flash(req, 'error', error.message);
    }
    return { url: `/tenants/${tenantId}/acceptance` };
  }
}
