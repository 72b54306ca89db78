import { IsIn, IsOptional } from 'class-validator';
import { TextField } from '../../common/text-field.decorators';

// Text as typed; the service checks the time, the zone, the number and the folder on the server.
export class BackupSettingsDto {
  @IsOptional()
  @IsIn(['on'], { message: 'Check the box or leave it empty' })
  enabled?: string;

  @TextField('Time of day', 5)
  timeOfDay: string;

  @TextField('Time zone', 64)
  timeZone: string;

  @TextField('Folder', 1000)
  folder: string;

  @TextField('How many to keep', 3)
  keep: string;
}
