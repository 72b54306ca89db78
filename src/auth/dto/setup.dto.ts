import { TextField } from '../../common/text-field.decorators';
import { EmailField, NewPasswordField } from '../../users/dto/user-fields';

export class SetupDto {
  @TextField('Organisation name', 200)
  brokerName: string;

  @TextField('Your name', 200)
  name: string;

  @EmailField()
  email: string;

  @NewPasswordField()
  password: string;
}
