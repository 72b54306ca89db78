import { Injectable } from '@nestjs/common';
import type { SetupCheck } from '../auth/setup-check';
import type { User } from '../users/user.entity';
import { SetupDoneError, UsersService } from '../users/users.service';
import type { SetupDto } from './dto/setup.dto';

@Injectable()
export class SetupService implements SetupCheck {
  // Once a user exists it always will (the last admin cannot be removed), so the answer is kept.
  private done = false;

  constructor(private readonly users: UsersService) {}

  async isSetupNeeded(): Promise<boolean> {
    if (!this.done) this.done = await this.users.anyUserExists();
    return !this.done;
  }

  async completeSetup(dto: SetupDto): Promise<User> {
    // Refused before the password is hashed: setup is open to anyone, and hashing is costly by design.
    if (!(await this.isSetupNeeded())) throw new SetupDoneError();
    const admin = await this.users.createFirstAdmin(dto.brokerName, {
      name: dto.name,
      email: dto.email,
      password: dto.password,
    });
    this.done = true;
    return admin;
  }
}
