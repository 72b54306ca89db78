import { NameField } from '../../common/text-field.decorators';
import { EmailField, NewPasswordField } from '../../users/dto/user-fields';

export class SetupDto {
  @NameField('Organisation name', 200)
  brokerName: string;

  @NameField('Your name', 200)
  name: string;

  @EmailField()
  email: string;

  @NewPasswordField()
  password: string;
}
