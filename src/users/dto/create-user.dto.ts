import { NameField } from '../../common/text-field.decorators';
import type { UserRole } from '../../auth/user-role';
import { EmailField, NewPasswordField, RoleField } from './user-fields';

export class CreateUserDto {
  @NameField('Name', 200)
  name: string;

  @EmailField()
  email: string;

  @RoleField()
  role: UserRole;

  @NewPasswordField()
  password: string;
}
