import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Repository } from 'typeorm';
import { Broker } from '../brokers/broker.entity';
import { SqlService } from '../database/sql.service';
import { TextField } from '../common/text-field.decorators';
import { FormErrorsException, type FieldErrors } from '../common/form-errors.exception';
import { CreateUserDto } from './dto/create-user.dto';
import type { User } from './user.entity';
import { UsersService } from './users.service';

class CliCreateUserDto extends CreateUserDto {
  @TextField('Broker', 200)
  brokerName: string;
}

const LISTED_BROKERS = 20;

export type ProvisioningResult = { ok: true; user: User; brokerName: string } | { ok: false; errors: FieldErrors };

// Users created by scripts (the CLI), with the same validation as the users page.
@Injectable()
export class UserProvisioning {
  constructor(
    private readonly users: UsersService,
    @InjectRepository(Broker) private readonly brokers: Repository<Broker>,
    private readonly sql: SqlService,
  ) {}

  // A broker is created only when asked (`createBroker`): a typo in its name must not start a new organisation.
  async createFromCli(
    input: Record<keyof CliCreateUserDto, string>,
    options: { createBroker: boolean },
  ): Promise<ProvisioningResult> {
    const dto = plainToInstance(CliCreateUserDto, input);
    const errors = await validate(dto, { stopAtFirstError: true });
    if (errors.length > 0) return { ok: false, errors: FormErrorsException.fromValidation(errors).fieldErrors };
    let broker = await this.brokers.findOneBy({ name: dto.brokerName });
    if (!broker && !options.createBroker)
      return { ok: false, errors: { broker: await this.unknownBroker(dto.brokerName) } };
    broker ??= await this.sql.transaction((tx) => tx.manager.save(tx.manager.create(Broker, { name: dto.brokerName })));
    try {
      const user = await this.users.createUser(broker.id, dto);
      return { ok: true, user, brokerName: broker.name };
    } catch (error) {
      if (error instanceof FormErrorsException) return { ok: false, errors: error.fieldErrors };
      throw error;
    }
  }

  private async unknownBroker(name: string): Promise<string> {
    const existing = await this.brokers.find({
      select: { name: true },
      order: { name: 'ASC' },
      take: LISTED_BROKERS + 1,
    });
    const create = `add --create-broker to create a new broker named "${name}"`;
    if (existing.length === 0) return `No broker exists yet: ${create}.`;
    const names = existing.slice(0, LISTED_BROKERS).map((broker) => `"${broker.name}"`);
    if (existing.length > LISTED_BROKERS) names.push('…');
    return `No broker named "${name}". Existing brokers: ${names.join(', ')}. Check the name, or ${create}.`;
  }
}
