import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Repository } from 'typeorm';
import { Broker } from '../brokers/broker.entity';
import { TextField } from '../common/text-field.decorators';
import { FormErrorsException, type FieldErrors } from '../common/form-errors.exception';
import { CreateUserDto } from './dto/create-user.dto';
import type { User } from './user.entity';
import { UsersService } from './users.service';

class CliCreateUserDto extends CreateUserDto {
  @TextField('Broker', 200)
  brokerName: string;
}

export type ProvisioningResult = { ok: true; user: User; brokerName: string } | { ok: false; errors: FieldErrors };

// Users created by scripts (the CLI), with the same validation as the users page.
@Injectable()
export class UserProvisioning {
  constructor(
    private readonly users: UsersService,
    @InjectRepository(Broker) private readonly brokers: Repository<Broker>,
  ) {}

  async createFromCli(input: Record<keyof CliCreateUserDto, string>): Promise<ProvisioningResult> {
    const dto = plainToInstance(CliCreateUserDto, input);
    const errors = await validate(dto, { stopAtFirstError: true });
    if (errors.length > 0) return { ok: false, errors: FormErrorsException.fromValidation(errors).fieldErrors };
    const broker =
      (await this.brokers.findOneBy({ name: dto.brokerName })) ??
      (await this.brokers.save(this.brokers.create({ name: dto.brokerName })));
    try {
      const user = await this.users.createUser(broker.id, dto);
      return { ok: true, user, brokerName: broker.name };
    } catch (error) {
      if (error instanceof FormErrorsException) return { ok: false, errors: error.fieldErrors };
      throw error;
    }
  }
}
