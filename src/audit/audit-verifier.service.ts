import { Injectable } from '@nestjs/common';
import { SqlService } from '../database/sql.service';
import { AUDIT_EVENT_COLUMNS, contentOf, type AuditEventRow } from './audit-event';
import { GENESIS_HASH, hashEvent } from './audit-hash';
import { chainIdOf } from './audit-trail.service';

export interface ChainReport {
  chainId: number;
  brokerId: number | null;
  events: number;
  headHash: string;
}

export interface ChainBreak {
  chainId: number;
  brokerId: number | null;
  eventId: number | null; // null when no event is left to name (the end of the chain was removed)
  seq: number;
  reason: string;
}

export type VerifyResult =
  { ok: true; chains: ChainReport[] } | { ok: false; chains: ChainReport[]; broken: ChainBreak };

const BATCH = 500;

// Recomputes every chain from its first event: each event's place, its link to the one before and its own hash, and
// that the chain still reaches the head the appender last wrote.
@Injectable()
export class AuditVerifier {
  private readonly batchSql: string;

  constructor(private readonly sql: SqlService) {
    const p = (index: number) => sql.dialect.placeholder(index);
    this.batchSql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events
      WHERE chain_id = ${p(1)} AND seq > ${p(2)} AND seq <= ${p(3)} ORDER BY seq LIMIT ${p(4)}`;
  }

  async verify(): Promise<VerifyResult> {
    // Heads first: events appended while this runs lie beyond them and are left for the next run.
    const heads = await this.sql.query<{ chain_id: number; seq: number; hash: string }>`
      SELECT chain_id, seq, hash FROM audit_chain_heads ORDER BY chain_id`;
    const headless = await this.sql.query<{ chain_id: number }>`
      SELECT DISTINCT chain_id FROM audit_events ORDER BY chain_id`;
    const known = new Set(heads.map((head) => Number(head.chain_id)));
    const chains: ChainReport[] = [];
    for (const { chain_id } of headless) {
      const chainId = Number(chain_id);
      if (!known.has(chainId))
        return this.broken(chains, chainId, null, 0, 'the chain has events but no head: audit_chain_heads was edited');
    }
    for (const head of heads) {
      const chainId = Number(head.chain_id);
      const result = await this.verifyChain(chainId, Number(head.seq), head.hash);
      if ('reason' in result) return { ok: false, chains, broken: result };
      chains.push(result);
    }
    return { ok: true, chains };
  }

  // One broker's chain, as verify() checks each (the Audit trail page's button): its report, or where it breaks.
  async verifyBroker(brokerId: number): Promise<ChainReport | ChainBreak> {
    const chainId = chainIdOf(brokerId);
    const [head] = await this.sql.query<{ seq: number; hash: string }>`
      SELECT seq, hash FROM audit_chain_heads WHERE chain_id = ${chainId}`;
    if (head) return this.verifyChain(chainId, Number(head.seq), head.hash);
    const [event] = await this.sql.query<{
      id: number;
    }>`SELECT id FROM audit_events WHERE chain_id = ${chainId} LIMIT 1`;
    return event
      ? this.fail(chainId, null, 0, 'the chain has events but no head: audit_chain_heads was edited')
      : { chainId, brokerId, events: 0, headHash: GENESIS_HASH };
  }

  private async verifyChain(chainId: number, headSeq: number, headHash: string): Promise<ChainReport | ChainBreak> {
    const brokerId = chainId === 0 ? null : chainId;
    let previous = GENESIS_HASH;
    let seq = 0;
    for (;;) {
      const rows = await this.sql.run<AuditEventRow>(this.batchSql, [chainId, seq, headSeq, BATCH]);
      for (const row of rows) {
        const id = Number(row.id);
        const at = `event #${id}`;
        if (Number(row.seq) !== seq + 1)
          return this.fail(
            chainId,
            id,
            seq + 1,
            `${at} has seq ${row.seq} where ${seq + 1} was expected: events are missing`,
          );
        seq += 1;
        if (chainId !== (row.broker_id === null ? 0 : Number(row.broker_id)))
          return this.fail(
            chainId,
            id,
            seq,
            `${at} names broker ${row.broker_id} but sits in the chain of broker ${brokerId}`,
          );
        if (row.prev_hash !== previous)
          return this.fail(chainId, id, seq, `${at} does not link to the event before it (its previous hash differs)`);
        if (hashEvent(previous, contentOf(row, this.sql.dialect)) !== row.hash)
          return this.fail(chainId, id, seq, `${at} (${row.action}) does not match its hash: its content was changed`);
        previous = row.hash;
      }
      if (rows.length < BATCH) break;
    }
    if (seq !== headSeq || previous !== (headSeq === 0 ? GENESIS_HASH : headHash))
      return this.fail(
        chainId,
        null,
        seq,
        `the chain ends at seq ${seq} but its head says ${headSeq}: events are missing`,
      );
    return { chainId, brokerId, events: seq, headHash: previous };
  }

  private fail(chainId: number, eventId: number | null, seq: number, reason: string): ChainBreak {
    return { chainId, brokerId: chainId === 0 ? null : chainId, eventId, seq, reason };
  }

  private broken(chains: ChainReport[], chainId: number, eventId: number | null, seq: number, reason: string) {
    return { ok: false as const, chains, broken: this.fail(chainId, eventId, seq, reason) };
  }
}
