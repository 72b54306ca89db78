import { IsOptional, IsString } from 'class-validator';
import { OptionalText } from '../../common/text-field.decorators';

// The endpoint form as sent: its rules and their words are the service's (WebhookEndpoints), next to each field.
export class WebhookEndpointDto {
  @OptionalText('URL')
  url?: string;

  @OptionalText('Description')
  description?: string;

  // One checkbox per event type: a single value or several.
  @IsOptional()
  @IsString({ each: true, message: 'The events must be text' })
  events?: string | string[];

  @OptionalText('Enabled')
  enabled?: string;
}
