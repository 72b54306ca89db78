import type { UserRole } from '../user-role';
import { RoleField } from './user-fields';

export class ChangeRoleDto {
  @RoleField()
  role: UserRole;
}
