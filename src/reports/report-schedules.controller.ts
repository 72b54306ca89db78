import { Body, Controller, Get, NotFoundException, Post, Redirect, Render, Req } from '@nestjs/common';
import { PathId } from '../common/ids';
import type { Request } from 'express';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { FormErrorsException } from '../common/form-errors.exception';
import { ReportSchedulesService, type ScheduleInput } from './report-schedules.service';
import { scheduleFormView, schedulesView } from './report-schedules.view';
import { ReportSettingsService } from './report-settings.service';

const LIST = '/reports/schedules';

// Scheduled reports, for admins. Domain errors are mapped here until the shared filter maps them.
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
  @Render('reports/schedule-form')
  async newSchedule(@CurrentUser() user: SignedInUser) {
    return scheduleFormView(null, {}, await this.settings.recipientPolicy(user.id));
  }

  @Post()
  @Redirect(LIST, 303)
  async create(@Req() req: Request, @CurrentUser() user: SignedInUser, @Body() body: ScheduleInput) {
    const schedule = await this.refused(null, user.id, body, () => this.schedules.create(user, body));
    flash(req, 'success', `The schedule “${schedule.name}” is saved.`);
  }

  @Get(':id/edit')
  @Render('reports/schedule-form')
  async edit(@PathId('id') id: number) {
    const schedule = await this.found(() => this.schedules.get(id));
    return scheduleFormView(schedule, {}, await this.settings.recipientPolicy(schedule.createdBy));
  }

  @Post(':id')
  @Redirect(LIST, 303)
  async update(
    @Req() req: Request,
    @CurrentUser() user: SignedInUser,
    @PathId('id') id: number,
    @Body() body: ScheduleInput,
  ) {
    const existing = await this.found(() => this.schedules.get(id));
    const schedule = await this.refused(existing.id, existing.createdBy, body, () =>
      this.schedules.update(user, id, body),
    );
    flash(req, 'success', `The schedule “${schedule.name}” is saved.`);
  }

  @Post(':id/pause')
  @Redirect(LIST, 303)
  async pause(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.found(() => this.schedules.setPaused(id, true));
    flash(req, 'success', `The schedule “${schedule.name}” is paused.`);
  }

  @Post(':id/resume')
  @Redirect(LIST, 303)
  async resume(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.found(() => this.schedules.setPaused(id, false));
    flash(req, 'success', `The schedule “${schedule.name}” runs again.`);
  }

  @Post(':id/delete')
  @Redirect(LIST, 303)
  async remove(@Req() req: Request, @PathId('id') id: number) {
    const schedule = await this.found(() => this.schedules.remove(id));
    flash(req, 'success', `The schedule “${schedule.name}” is deleted.`);
  }

  private async found<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof NotFoundInBrokerError) throw new NotFoundException('That schedule does not exist.');
      throw error;
    }
  }

  private async refused<T>(
    id: number | null,
    ownerId: number | null,
    body: ScheduleInput,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await this.found(work);
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      throw new FormErrorsException(error.fields, {
        view: 'reports/schedule-form',
        viewData: scheduleFormView(id, body as Record<string, unknown>, await this.settings.recipientPolicy(ownerId)),
      });
    }
  }
}
