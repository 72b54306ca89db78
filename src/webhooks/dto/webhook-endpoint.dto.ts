import { IsOptional, IsString } from 'class-validator';
import { OptionalText, TextField } from '../../common/text-field.decorators';

// The endpoint form as sent: clean text of a bounded length here; the rest of the rules and their words are the
// service's (WebhookEndpoints), next to each field.
export class WebhookEndpointDto {
  @TextField('The URL', 2000, { required: false })
  url = '';

  @TextField('The description', 200, { required: false })
  description = '';

  // One checkbox per event type: a single value or several.
  @IsOptional()
  @IsString({ each: true, message: 'The events must be text' })
  events?: string | string[];

  @OptionalText('Enabled')
  enabled?: string;
}
