import type { ReportSchedule } from './report-schedule.entity';
import { scheduleFormView } from './report-schedules.view';
import { serverTimeZone } from './schedule-time';

describe(scheduleFormView.name, () => {
  it('should start a new schedule daily in the server zone, which the browser may replace', () => {
    const view = scheduleFormView(null, {});
    expect(view.values).toMatchObject({ frequency: 'daily', timeZone: serverTimeZone() });
    expect(view.frequencies.filter((f) => f.checked).map((f) => f.value)).toEqual(['daily']);
    expect(view.zoneIsDefault).toBe(true);
  });

  it('should keep the zone of a schedule being edited, and the zone sent back with an error', () => {
    const existing = { id: 7, frequency: 'weekly', timeZone: 'Asia/Tokyo', recipients: 'a@b.test' } as ReportSchedule;
    expect(scheduleFormView(existing, {})).toMatchObject({ zoneIsDefault: false, values: { timeZone: 'Asia/Tokyo' } });
    expect(scheduleFormView(null, { timeZone: 'Europe/Lisbon' })).toMatchObject({
      zoneIsDefault: false,
      values: { timeZone: 'Europe/Lisbon' },
    });
    expect(scheduleFormView(7, { timeZone: 'Europe/Lisbon' }).zoneIsDefault).toBe(false);
  });
});
