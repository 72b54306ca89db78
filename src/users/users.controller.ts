import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { ROLE_LABELS, USER_ROLES } from '../auth/user-role';
import { FormView } from '../common/decorators';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { DomainError } from '../common/domain-errors';
import { flash } from '../common/flash';
import { FormErrorsException } from '../common/form-errors.exception';
import { parseId, PathId } from '../common/ids';
import { ChangeRoleDto } from './dto/change-role.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { PASSWORD_MIN_LENGTH } from './dto/user-fields';
import { SIGN_IN_METHOD_LABELS } from './sign-in-method';
import { UsersService } from './users.service';

const ROLE_OPTIONS = USER_ROLES.map((value) => ({ value, label: ROLE_LABELS[value] }));
const NEW_USER_VIEW = { title: 'Add a user', roles: ROLE_OPTIONS, passwordMinLength: PASSWORD_MIN_LENGTH };

// A change the state refuses (the last admin, yourself), or a role that is not one, is answered on the Users page
// next to its row, rather than on an error page that only says the page changed.
const refusedRow: FormViewResolver<UsersController> = (req, error, controller) => {
  const message =
    error instanceof FormErrorsException
      ? Object.values(error.fieldErrors).join(' ')
      : error instanceof DomainError
        ? error.message
        : '';
  const id = parseId(req.params.id);
  return controller.listView(req.user as SignedInUser, id === null ? undefined : { id, message });
};

@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Render('users/index')
  list(@CurrentUser() me: SignedInUser) {
    return this.listView(me);
  }

  @Get('new')
  @Render('users/new')
  newUser() {
    return { ...NEW_USER_VIEW, values: { role: 'operator' } };
  }

  @Post()
  @FormView('users/new', NEW_USER_VIEW)
  @Redirect('/users', 303)
  async create(@Req() req: Request, @Body() dto: CreateUserDto) {
    const user = await this.users.createInBroker(dto);
    flash(req, 'success', `${user.name} (${user.email}) can now sign in as ${ROLE_LABELS[user.role].toLowerCase()}.`);
  }

  @Post(':id/role')
  @FormView('users/index', refusedRow)
  @Redirect('/users', 303)
  async changeRole(
    @Req() req: Request,
    @CurrentUser() me: SignedInUser,
    @PathId('id') id: number,
    @Body() dto: ChangeRoleDto,
  ) {
    const user = await this.users.changeRole(id, dto.role);
    flash(req, 'success', `${user.name} is now ${ROLE_LABELS[user.role].toLowerCase()}.`);
  }

  @Post(':id/deactivate')
  @FormView('users/index', refusedRow)
  @Redirect('/users', 303)
  async deactivate(@Req() req: Request, @CurrentUser() me: SignedInUser, @PathId('id') id: number) {
    const user = await this.users.deactivate(id, me.id);
    flash(req, 'success', `${user.name} is deactivated and has been signed out.`);
  }

  @Post(':id/reactivate')
  @Redirect('/users', 303)
  async reactivate(@Req() req: Request, @PathId('id') id: number) {
    const user = await this.users.reactivate(id);
    flash(req, 'success', `${user.name} can sign in again.`);
  }

  async listView(me: SignedInUser, refused?: { id: number; message: string }) {
    const users = await this.users.listForBroker();
    return {
      title: 'Users',
      users: users.map((user) => ({
        ...user,
        roleLabel: ROLE_LABELS[user.role],
        signInMethodLabel: user.lastSignInMethod ? SIGN_IN_METHOD_LABELS[user.lastSignInMethod] : null,
        isMe: user.id === me.id,
        roles: ROLE_OPTIONS.map((option) => ({ ...option, selected: option.value === user.role })),
        rowError: refused?.id === user.id ? refused.message : null,
      })),
    };
  }
}
