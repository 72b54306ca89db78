import { IsIn } from 'class-validator';
import { NameField, OptionalText } from '../../common/text-field.decorators';
import { API_TOKEN_EXPIRY_CHOICES, type ApiTokenExpiryChoice } from '../api-token-expiry';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../api-token-scope';

// The API access page's form for a new token.
export class CreateApiTokenDto {
  @NameField('Name', 100)
  name: string;

  @IsIn(API_TOKEN_SCOPES, { message: 'Choose what the token may do: read, or read and write' })
  scope: ApiTokenScope;

  @IsIn(API_TOKEN_EXPIRY_CHOICES, { message: 'Choose when the token expires' })
  expiry: ApiTokenExpiryChoice;

  // Read only when `expiry` is "date" (the service's rule, in its words next to the field).
  @OptionalText('Expiry date')
  expiresOn?: string;
}
