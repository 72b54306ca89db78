import type { ReportSchedule } from './report-schedule.entity';
import { scheduleFormView } from './report-schedules.view';
import { serverTimeZone } from './schedule-time';

const OWN_ONLY = { own: 'ada@contoso.test', domains: [] };

describe(scheduleFormView.name, () => {
  it('should start a new schedule daily in the server zone, which the browser may replace', () => {
    const view = scheduleFormView(null, {}, OWN_ONLY);
    expect(view.values).toMatchObject({ frequency: 'daily', timeZone: serverTimeZone() });
    expect(view.frequencies.filter((f) => f.checked).map((f) => f.value)).toEqual(['daily']);
    expect(view.zoneIsDefault).toBe(true);
  });

  it('should keep the zone of a schedule being edited, and the zone sent back with an error', () => {
    const existing = { id: 7, frequency: 'weekly', timeZone: 'Asia/Tokyo', recipients: 'a@b.test' } as ReportSchedule;
    expect(scheduleFormView(existing, {}, OWN_ONLY)).toMatchObject({
      zoneIsDefault: false,
      values: { timeZone: 'Asia/Tokyo' },
    });
    expect(scheduleFormView(null, { timeZone: 'Europe/Lisbon' }, OWN_ONLY)).toMatchObject({
      zoneIsDefault: false,
      values: { timeZone: 'Europe/Lisbon' },
    });
    expect(scheduleFormView(7, { timeZone: 'Europe/Lisbon' }, OWN_ONLY).zoneIsDefault).toBe(false);
  });

  it("should say whom a schedule may send to: its owner's address, and the allowed domains", () => {
    expect(scheduleFormView(null, {}, OWN_ONLY).recipientsHint).toBe(
      "the schedule owner's own address (ada@contoso.test) only, until an admin allows domains in the report recipients settings.",
    );
    expect(
      scheduleFormView(null, {}, { own: 'ada@contoso.test', domains: ['contoso.test', 'fabrikam.test'] })
        .recipientsHint,
    ).toBe("the schedule owner's own address (ada@contoso.test) or addresses at contoso.test, fabrikam.test.");
  });
});
