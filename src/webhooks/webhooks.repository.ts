import { Injectable } from '@nestjs/common';
import type { KeysetBound } from '../common/keyset-page';
import type { Dialect } from '../database/dialect';
import { SqlService, writeReturning, type Tx } from '../database/sql.service';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookMessageEntity } from './webhook-message.entity';

export type MessageState = 'pending' | 'delivered' | 'failed';

// What the delivery job reads: the message and where it goes.
export interface DeliveryTarget {
  id: number;
  brokerId: number;
  messageId: string;
  eventType: string;
  payload: string;
  state: MessageState;
  attempts: number;
  createdAt: Date;
  url: string;
  secretSealed: string;
  enabled: boolean;
  endpointId: number;
}

// One row of an endpoint's delivery log.
export interface AttemptLogRow {
  id: number;
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
  messageRowId: number;
  messageId: string;
  eventType: string;
  messageState: MessageState;
  nextAttemptAt: Date | null;
}

export interface AttemptRecord {
  brokerId: number;
  endpointId: number;
  messageRowId: number;
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseExcerpt: string | null;
  state: MessageState;
  nextAttemptAt: Date | null;
}

interface AttemptLogSqlRow {
  id: number;
  attempt: number;
  started_at: unknown;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
  message_row_id: number;
  message_id: string;
  event_type: string;
  state: MessageState;
  next_attempt_at: unknown;
}

interface DeliverySqlRow {
  id: number;
  broker_id: number;
  message_id: string;
  event_type: string;
  payload: string;
  state: MessageState;
  attempts: number;
  created_at: unknown;
  url: string;
  secret_sealed: string;
  enabled: boolean | number;
  endpoint_id: number;
}

// An endpoint's delivery log past `bound`: keyset by attempt id on the endpoint's index, each attempt's message by
// its primary key (the plan test reads this statement).
export function attemptLogStatement(
  dialect: Dialect,
  endpointId: number,
  bound: KeysetBound | null,
  limit: number,
): { sql: string; params: unknown[] } {
  const p = dialect.placeholder;
  const params: unknown[] = [endpointId];
  let where = `a.endpoint_id = ${p(1)}`;
  if (bound) {
    params.push(bound.id);
    where += ` AND a.id ${bound.op} ${p(2)}`;
  }
  params.push(limit);
  return {
    sql: `SELECT a.id, a.attempt, a.started_at, a.status_code, a.error, a.duration_ms, a.response_excerpt,
                 a.message_row_id, m.message_id, m.event_type, m.state, m.next_attempt_at
          FROM webhook_attempts a JOIN webhook_messages m ON m.id = a.message_row_id
          WHERE ${where} ORDER BY a.id ${bound?.op === '>' ? 'ASC' : 'DESC'} LIMIT ${p(params.length)}`,
    params,
  };
}

// All SQL of webhook_endpoints, webhook_messages and webhook_attempts.
@Injectable()
export class WebhooksRepository {
  constructor(private readonly sql: SqlService) {}

  insertEndpoint(tx: Tx, endpoint: Omit<WebhookEndpointEntity, 'id'>): Promise<WebhookEndpointEntity> {
    return tx.manager.save(WebhookEndpointEntity, tx.manager.create(WebhookEndpointEntity, endpoint));
  }

  endpoints(brokerId: number): Promise<WebhookEndpointEntity[]> {
    return this.sql.manager.find(WebhookEndpointEntity, { where: { brokerId }, order: { id: 'DESC' } });
  }

  endpoint(
    brokerId: number,
    id: number,
    reader: Pick<Tx, 'manager'> = this.sql,
  ): Promise<WebhookEndpointEntity | null> {
    return reader.manager.findOneBy(WebhookEndpointEntity, { brokerId, id });
  }

  async updateEndpoint(
    tx: Tx,
    id: number,
    changes: Partial<Pick<WebhookEndpointEntity, 'description' | 'events' | 'enabled' | 'secretSealed' | 'updatedAt'>>,
  ): Promise<void> {
    await tx.manager.update(WebhookEndpointEntity, { id }, changes);
  }

  async deleteEndpoint(tx: Tx, id: number): Promise<void> {
    await tx.manager.delete(WebhookEndpointEntity, { id });
  }

  // The broker's enabled endpoints, read in the transaction of the event (by the broker's index).
  enabledEndpoints(tx: Tx, brokerId: number): Promise<Pick<WebhookEndpointEntity, 'id' | 'events'>[]> {
    return tx.manager.find(WebhookEndpointEntity, {
      select: { id: true, events: true },
      where: { brokerId, enabled: true },
      order: { id: 'ASC' },
    });
  }

  async insertMessage(
    tx: Tx,
    message: Pick<
      WebhookMessageEntity,
      'brokerId' | 'endpointId' | 'messageId' | 'eventType' | 'payload' | 'createdAt'
    >,
  ): Promise<number> {
    const saved = await tx.manager.save(
      WebhookMessageEntity,
      tx.manager.create(WebhookMessageEntity, {
        ...message,
        state: 'pending',
        attempts: 0,
        lastAttemptAt: null,
        nextAttemptAt: message.createdAt,
      }),
    );
    return saved.id;
  }

  async deliveryTarget(messageRowId: number): Promise<DeliveryTarget | null> {
    const [row] = await this.sql.query<DeliverySqlRow>`
      SELECT m.id, m.broker_id, m.message_id, m.event_type, m.payload, m.state, m.attempts, m.created_at,
             e.url, e.secret_sealed, e.enabled, e.id AS endpoint_id
      FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
      WHERE m.id = ${messageRowId}`;
    if (!row) return null;
    return {
      id: row.id,
      brokerId: row.broker_id,
      messageId: row.message_id,
      eventType: row.event_type,
      payload: row.payload,
      state: row.state,
      attempts: row.attempts,
      createdAt: this.sql.dialect.decodeTimestamp(row.created_at) as Date,
      url: row.url,
      secretSealed: row.secret_sealed,
      enabled: Boolean(row.enabled),
      endpointId: row.endpoint_id,
    };
  }

  // The attempt's row and the message's new state, once: false when this attempt was recorded already (a job
  // that ran again after its outcome committed).
  async recordAttempt(tx: Tx, record: AttemptRecord): Promise<boolean> {
    const p = tx.dialect.placeholder;
    const moved = await writeReturning<{ id: number }>(
      tx,
      `UPDATE webhook_messages SET attempts = ${p(1)}, state = ${p(2)}, last_attempt_at = ${p(3)}, next_attempt_at = ${p(4)}
       WHERE id = ${p(5)} AND attempts < ${p(6)} RETURNING id`,
      [
        record.attempt,
        record.state,
        tx.dialect.encodeTimestamp(record.startedAt),
        record.nextAttemptAt ? tx.dialect.encodeTimestamp(record.nextAttemptAt) : null,
        record.messageRowId,
        record.attempt,
      ],
    );
    if (moved.length === 0) return false;
    await tx.manager.insert(WebhookAttemptEntity, {
      brokerId: record.brokerId,
      endpointId: record.endpointId,
      messageRowId: record.messageRowId,
      attempt: record.attempt,
      startedAt: record.startedAt,
      statusCode: record.statusCode,
      error: record.error,
      durationMs: record.durationMs,
      responseExcerpt: record.responseExcerpt,
    });
    return true;
  }

  // A delivered or failed message of the endpoint made pending again (a redelivery); its attempt count, or null
  // when there is no such message or it is pending already.
  async reopenMessage(tx: Tx, endpointId: number, messageRowId: number, at: Date): Promise<number | null> {
    const p = tx.dialect.placeholder;
    const [row] = await writeReturning<{ attempts: number }>(
      tx,
      `UPDATE webhook_messages SET state = 'pending', next_attempt_at = ${p(1)}
       WHERE id = ${p(2)} AND endpoint_id = ${p(3)} AND state <> 'pending' RETURNING attempts`,
      [tx.dialect.encodeTimestamp(at), messageRowId, endpointId],
    );
    return row ? Number(row.attempts) : null;
  }

  messageOf(endpointId: number, messageRowId: number): Promise<WebhookMessageEntity | null> {
    return this.sql.manager.findOneBy(WebhookMessageEntity, { endpointId, id: messageRowId });
  }

  async attempts(endpointId: number, bound: KeysetBound | null, limit: number): Promise<AttemptLogRow[]> {
    const statement = attemptLogStatement(this.sql.dialect, endpointId, bound, limit);
    const rows = await this.sql.run<AttemptLogSqlRow>(statement.sql, statement.params);
    const decode = (value: unknown) => this.sql.dialect.decodeTimestamp(value);
    return rows.map((row) => ({
      id: Number(row.id),
      attempt: row.attempt,
      startedAt: decode(row.started_at) as Date,
      statusCode: row.status_code,
      error: row.error,
      durationMs: row.duration_ms,
      responseExcerpt: row.response_excerpt,
      messageRowId: row.message_row_id,
      messageId: row.message_id,
      eventType: row.event_type,
      messageState: row.state,
      nextAttemptAt: decode(row.next_attempt_at),
    }));
  }

  // Messages of the endpoint waiting for their first attempt (the log lists attempts; these have none yet).
  waiting(endpointId: number): Promise<number> {
    return this.sql.manager.countBy(WebhookMessageEntity, { endpointId, state: 'pending', attempts: 0 });
  }
}
