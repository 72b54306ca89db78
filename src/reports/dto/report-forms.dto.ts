import { IsOptional, IsString } from 'class-validator';
import { OptionalText } from '../../common/text-field.decorators';

// The report forms' fields as sent: every rule (and its message) is the service's, which reads a filter exactly as
// the MCA page does and refuses what the page would quietly drop.

// "Email me the report when ready".
export class ReportRequestDto {
  @OptionalText('Email')
  email?: string;

  @OptionalText('Format')
  format?: string;

  // 'filtered' (the page's filter and search) or 'all'.
  @OptionalText('Scope')
  scope?: string;

  // The MCA page's own parameters, which a link may repeat: the service refuses a repeated one, as the page would read
  // only its first.
  @IsOptional()
  @IsString({ each: true, message: 'The status filter must be text' })
  status?: string | string[];

  @IsOptional()
  @IsString({ each: true, message: 'The search must be text' })
  q?: string | string[];
}

export class ReportScheduleDto {
  @OptionalText('Name')
  name?: string;

  @OptionalText('Frequency')
  frequency?: string;

  @OptionalText('Day of the week')
  weekday?: string;

  @OptionalText('Day of the month')
  dayOfMonth?: string;

  @OptionalText('Time')
  time?: string;

  @OptionalText('Time zone')
  timeZone?: string;

  @OptionalText('Recipients')
  recipients?: string;

  @OptionalText('Format')
  format?: string;

  @OptionalText('Status')
  status?: string;

  // The run time the user accepted for days on which the chosen time does not exist (a daylight-saving gap).
  @OptionalText('Confirmation')
  confirmShift?: string;
}

export class ReportRecipientsDto {
  @OptionalText('Domains')
  recipientDomains?: string;
}
