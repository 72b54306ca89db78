import { Injectable } from '@nestjs/common';
import { GENESIS_HASH, hashEvent } from './audit-hash';
import { chainIdOf } from './audit-trail.service';
import { AuditRepository } from './audit.repository';

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
  constructor(private readonly repository: AuditRepository) {}

  async verify(): Promise<VerifyResult> {
    // Heads first: events appended while this runs lie beyond them and are left for the next run.
    const heads = await this.repository.heads();
    const known = new Set(heads.map((head) => head.chainId));
    const chains: ChainReport[] = [];
    for (const chainId of await this.repository.chainsWithEvents()) {
      if (!known.has(chainId))
        return this.broken(chains, chainId, null, 0, 'the chain has events but no head: audit_chain_heads was edited');
    }
    for (const { chainId, seq, hash } of heads) {
      const result = await this.verifyChain(chainId, seq, hash);
      if ('reason' in result) return { ok: false, chains, broken: result };
      chains.push(result);
    }
    return { ok: true, chains };
  }

  // One broker's chain, as verify() checks each (the Audit trail page's button): its report, or where it breaks.
  async verifyBroker(brokerId: number): Promise<ChainReport | ChainBreak> {
    const chainId = chainIdOf(brokerId);
    const head = await this.repository.head(chainId);
    if (head) return this.verifyChain(chainId, head.seq, head.hash);
    return (await this.repository.hasEvents(chainId))
      ? this.fail(chainId, null, 0, 'the chain has events but no head: audit_chain_heads was edited')
      : { chainId, brokerId, events: 0, headHash: GENESIS_HASH };
  }

  private async verifyChain(chainId: number, headSeq: number, headHash: string): Promise<ChainReport | ChainBreak> {
    const brokerId = chainId === 0 ? null : chainId;
    let previous = GENESIS_HASH;
    let seq = 0;
    for (;;) {
      const rows = await this.repository.chainBatch(chainId, seq, headSeq, BATCH);
      for (const event of rows) {
        const id = event.id;
        const at = `event #${id}`;
        if (event.seq !== seq + 1)
          return this.fail(
            chainId,
            id,
            seq + 1,
            `${at} has seq ${event.seq} where ${seq + 1} was expected: events are missing`,
          );
        seq += 1;
        if (chainId !== (event.brokerId ?? 0))
          return this.fail(
            chainId,
            id,
            seq,
            `${at} names broker ${event.brokerId} but sits in the chain of broker ${brokerId}`,
          );
        if (event.prevHash !== previous)
          return this.fail(chainId, id, seq, `${at} does not link to the event before it (its previous hash differs)`);
        if (hashEvent(previous, event.content) !== event.hash)
          return this.fail(
            chainId,
            id,
            seq,
            `${at} (${event.action}) does not match its hash: its content was changed`,
          );
        previous = event.hash;
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
