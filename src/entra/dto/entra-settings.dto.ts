import { IsIn, IsOptional } from 'class-validator';
import { TextField } from '../../common/text-field.decorators';
import { EmailField } from '../../users/dto/user-fields';

// A checked box sends "on"; an unchecked one sends nothing.
const Checkbox = () => IsIn(['on'], { message: 'Check the box or leave it empty' });

// GUID checks depend on what is stored and on the installation's registration, so they live in the service.
export class EntraSettingsDto {
  @IsOptional()
  @Checkbox()
  enabled?: string;

  @TextField('Tenant id', 64, { required: false })
  tenantId = '';

  @TextField('Client id', 64, { required: false })
  clientId = '';

  // Named like the filter's never-echoed fields, so a refused form never sends the secret back.
  @TextField('Client secret', 1000, { required: false })
  clientSecret = '';

  @IsOptional()
  @Checkbox()
  allowNewUsers?: string;
}

export class PasswordSignInDto {
  @IsIn(['on', 'off'], { message: 'Choose on or off' })
  passwordSignIn: 'on' | 'off';
}

// With several organisations signing in with Microsoft, the email says which one's directory to ask.
export class MicrosoftEmailDto {
  @EmailField()
  email: string;

  @IsOptional()
  @TextField('Next page', 2000, { required: false })
  next = '';
}
