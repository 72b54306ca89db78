import { TextField } from '../../common/text-field.decorators';
import type { UserRole } from '../../auth/user-role';
import { EmailField, NewPasswordField, RoleField } from './user-fields';

export class CreateUserDto {
  @TextField('Name', 200)
  name: string;

  @EmailField()
  email: string;

  @RoleField()
  role: UserRole;

  @NewPasswordField()
  password: string;
}
