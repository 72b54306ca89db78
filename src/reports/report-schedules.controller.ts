import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { FormView } from '../common/decorators';
import { flash } from '../common/flash';
import { parseId, PathId } from '../common/ids';
import { ReportScheduleDto } from './dto/report-forms.dto';
import { ReportSchedulesService } from './report-schedules.service';
import { scheduleFormView, schedulesView } from './report-schedules.view';
import { ReportSettingsService } from './report-settings.service';

const LIST = '/reports/schedules';
const FORM = 'reports/schedule-form';

// Scheduled reports, for admins. A missing schedule is said as such (`found`); a refused form is shown again with
// what was typed, and whom its owner may send to.
@Controller(LIST)
@Roles('admin')
export class ReportSchedulesController {
  constructor(
    private readonly schedules: ReportSchedulesService,
    private readonly settings: ReportSettingsService,
  ) {}

  @Get()
  @Render('reports/schedules')
  async list() {
    return schedulesView(await this.schedules.list());
  }

  @Get('new')
  @Render(FORM)
  async newSchedule(@CurrentUser() user: SignedInUser) {
    return scheduleFormView(null, {}, await this.settings.recipientPolicy(user.id));
  }

  @Post()
  @FormView(FORM, (req, _error, controller: ReportSchedulesController) => controller.refusedForm(req))
  @Redirect(LIST, 303)
  async create(@Req() req: Request, @CurrentUser() user: SignedInUser, @Body() body: ReportScheduleDto) {
    const schedule = await this.schedules.create(user, body);
    flash(req, 'success', `The schedule “${schedule.name}” is saved.`);
  }

  @Get(':id/edit')
  @Render(FORM)
  async edit(@PathId('id') id: number) {
    const schedule = await this.schedules.get(id);
    return scheduleFormView(schedule, {}, await this.settings.recipientPolicy(schedule.createdBy));
  }

  @Post(':id')
  @FormView(FORM, (req, _error, controller: ReportSchedulesController) => controller.refusedForm(req))
  @Redirect(LIST, 303)
  async update(
    @Req() req: Request,
    @CurrentUser() user: SignedInUser,
    @PathId('id') id: number,
    @Body() body: ReportScheduleDto,
  ) {
    const schedule = await this.schedules.update(user, id, body);
    flash(req, 'success', `The schedule “${schedule.name}” is saved.`);
  }

  @Post(':id/pause')
  @Redirect(LIST, 303)
  async pause(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.schedules.setPaused(id, true);
    flash(req, 'success', `The schedule “${schedule.name}” is paused.`);
  }

  @Post(':id/resume')
  @Redirect(LIST, 303)
  async resume(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.schedules.setPaused(id, false);
    flash(req, 'success', `The schedule “${schedule.name}” runs again.`);
  }

  @Post(':id/delete')
  @Redirect(LIST, 303)
  async remove(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.schedules.remove(id);
    flash(req, 'success', `The schedule “${schedule.name}” is deleted.`);
  }

  // The form as it was sent: a new schedule's recipients are checked against its creator's address, an existing
  // one's against its owner's.
  async refusedForm(req: Request) {
    const id = parseId(req.params.id);
    const existing = id === null ? null : await this.schedules.get(id);
    const ownerId = existing ? existing.createdBy : (req.user as SignedInUser).id;
    return scheduleFormView(
      existing?.id ?? null,
      req.body as Record<string, unknown>,
      await this.settings.recipientPolicy(ownerId),
    );
  }
}
