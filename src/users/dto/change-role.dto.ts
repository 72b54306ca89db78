import type { UserRole } from '../../auth/user-role';
import { RoleField } from './user-fields';

export class ChangeRoleDto {
  @RoleField()
  role: UserRole;
}
