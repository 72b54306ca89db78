import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokersRepository } from '../brokers/brokers.repository';
import { ValidationFailedError } from '../common/domain-errors';
import { NameField } from '../common/text-field.decorators';
import { FormErrorsException, type FieldErrors } from '../common/form-errors.exception';
import { SqlService } from '../database/sql.service';
import { CreateUserDto } from './dto/create-user.dto';
import { hashPassword } from './password-hasher';
import type { User } from './user.entity';
import { UsersService } from './users.service';

class CliCreateUserDto extends CreateUserDto {
  @NameField('Broker', 200)
  brokerName: string;
}

const LISTED_BROKERS = 20;

export type ProvisioningResult = { ok: true; user: User; brokerName: string } | { ok: false; errors: FieldErrors };

// Users created by scripts (the CLI), with the same validation as the users page. A broker named for the first
// time is created with its user, in one transaction.
@Injectable()
export class UserProvisioning {
  constructor(
    private readonly users: UsersService,
    private readonly brokers: BrokersRepository,
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
  ) {}

  // A broker is created only when asked (`createBroker`): a typo in its name must not start a new organisation.
  async createFromCli(
    input: Record<keyof CliCreateUserDto, string>,
    options: { createBroker: boolean },
  ): Promise<ProvisioningResult> {
    const dto = plainToInstance(CliCreateUserDto, input);
    const errors = await validate(dto, { stopAtFirstError: true });
    if (errors.length > 0) return { ok: false, errors: FormErrorsException.fromValidation(errors).fieldErrors };
    if (!options.createBroker && !(await this.brokers.findByName(dto.brokerName)))
      return { ok: false, errors: { broker: await this.unknownBroker(dto.brokerName) } };
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.sql.transaction(async (tx) => {
        let broker = await this.brokers.findByName(dto.brokerName, tx);
        if (!broker) {
          broker = await this.brokers.create(tx, dto.brokerName);
          await this.audit.record(tx, {
            action: 'broker.created',
            brokerId: broker.id,
            subject: { type: 'broker', id: broker.id },
            data: { name: broker.name },
          });
        }
        const user = await this.users.insertUser(tx, broker.id, dto, passwordHash);
        return { ok: true as const, user, brokerName: broker.name };
      });
    } catch (error) {
      if (error instanceof ValidationFailedError) return { ok: false, errors: error.fields };
      throw error;
    }
  }

  private async unknownBroker(name: string): Promise<string> {
    const existing = await this.brokers.names(LISTED_BROKERS + 1);
    const create = `add --create-broker to create a new broker named "${name}"`;
    if (existing.length === 0) return `No broker exists yet: ${create}.`;
    const names = existing.slice(0, LISTED_BROKERS).map((broker) => `"${broker}"`);
    if (existing.length > LISTED_BROKERS) names.push('…');
    return `No broker named "${name}". Existing brokers: ${names.join(', ')}. Check the name, or ${create}.`;
  }
}
