import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Broker } from '../brokers/broker.entity';
import { SqlService } from '../database/sql.service';
import { BrokerScope } from '../common/broker-scope.service';
import { FormErrorsException } from '../common/form-errors.exception';
import type { CurrentUser } from '../common/request-context';
import { SessionRecord } from '../sessions/session.entity';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password-hasher';
import type { UserRole } from './user-role';
import { User } from './user.entity';

interface SessionUserRow {
  id: number;
  broker_id: number;
  email: string;
  name: string;
  role: UserRole;
  active: boolean | number;
  broker_name: string;
}

export interface NewUser {
  name: string;
  email: string;
  role: UserRole;
  password: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
  ) {}

  async anyUserExists(): Promise<boolean> {
    return (await this.users.count({ take: 1 })) > 0;
  }

  // The same work whether or not the email exists, so that neither the answer nor its timing tells.
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    return user && user.active && valid ? user : null;
  }

  async recordSignIn(userId: number): Promise<void> {
    await this.users.update({ id: userId }, { lastSignInAt: new Date() });
  }

  // Read on every request (the session holds only the id): a plain indexed lookup rather than an entity query.
  async findActiveSessionUser(userId: number): Promise<CurrentUser | null> {
    const [row] = await this.sql.query<SessionUserRow>`
      SELECT u.id, u.broker_id, u.email, u.name, u.role, u.active, b.name AS broker_name
      FROM users u JOIN brokers b ON b.id = u.broker_id WHERE u.id = ${userId}`;
    if (!row || !row.active) return null;
    return {
      id: row.id,
      brokerId: row.broker_id,
      brokerName: row.broker_name,
      email: row.email,
      name: row.name,
      role: row.role,
    };
  }

  listForBroker(): Promise<User[]> {
    return this.users.find({ where: this.scope.where<User>(), order: { active: 'DESC', name: 'ASC' } });
  }

  findInBroker(id: number): Promise<User> {
    return this.scope.findOne(this.users, id);
  }

  createInBroker(input: NewUser): Promise<User> {
    return this.createUser(this.scope.brokerId(), input);
  }

  // The first start: creates the broker and its first admin, refused once any user exists.
  async createFirstAdmin(brokerName: string, input: Omit<NewUser, 'role'>): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction(async (manager) => {
      if ((await manager.count(User, { take: 1 })) > 0)
        throw new ConflictException('Setup is already done: sign in instead.');
      const broker = await manager.save(manager.create(Broker, { name: brokerName }));
      return this.insertUser(manager, broker.id, { ...input, role: 'admin' }, passwordHash);
    });
  }

  async createUser(brokerId: number, input: NewUser): Promise<User> {
    const passwordHash = await hashPassword(input.password);
    return this.dataSource.transaction((manager) => this.insertUser(manager, brokerId, input, passwordHash));
  }

  async changeRole(id: number, role: UserRole): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.userInBroker(manager, id);
      if (user.role === 'admin' && role !== 'admin') await this.assertAnotherActiveAdmin(manager, user);
      user.role = role;
      return manager.save(user);
    });
  }

  // Deactivating ends the user's sessions in the same transaction: they are signed out at once.
  async deactivate(id: number, actingUserId: number): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.userInBroker(manager, id);
      if (user.id === actingUserId) throw new ConflictException('You cannot deactivate yourself.');
      if (user.role === 'admin') await this.assertAnotherActiveAdmin(manager, user);
      user.active = false;
      await manager.delete(SessionRecord, { userId: user.id });
      return manager.save(user);
    });
  }

  async reactivate(id: number): Promise<User> {
    const user = await this.findInBroker(id);
    user.active = true;
    return this.users.save(user);
  }

  private async insertUser(
    manager: EntityManager,
    brokerId: number,
    input: NewUser,
    passwordHash: string,
  ): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (await manager.existsBy(User, { email }))
      throw new FormErrorsException({ email: 'A user with this email already exists' });
    return manager.save(
      manager.create(User, { brokerId, email, name: input.name, role: input.role, passwordHash, active: true }),
    );
  }

  private userInBroker(manager: EntityManager, id: number): Promise<User> {
    return this.scope.findOne(manager.getRepository(User), id);
  }

  // Locks the broker's admins on PostgreSQL so that two admins demoting each other at once cannot both succeed;
  // SQLite serialises write transactions by itself.
  private async assertAnotherActiveAdmin(manager: EntityManager, user: User): Promise<void> {
    if (!user.active) return;
    const lock = this.sql.dialect.name === 'postgres' ? ({ mode: 'pessimistic_write' } as const) : undefined;
    const admins = await manager.find(User, {
      where: { brokerId: user.brokerId, role: 'admin', active: true },
      select: { id: true },
      lock,
    });
    if (admins.length <= 1) throw new ConflictException('This is the last admin: make another user an admin first.');
  }
}
