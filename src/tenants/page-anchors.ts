import type { Dialect } from '../database/dialect';
import type { anchorStepStatement, SqlStatement } from './tenants.repository';
import type { TenantStatus } from './tenant-status';

// A deep page read by its number skips every row before it (OFFSET): half a million index entries in the middle of
// a 1,000,000-tenant broker, ten times the cost at 100,000. A page anchor is the sort key (name, id) of the row at
// every ANCHOR_EVERYth position of one of the broker's lists, so that a deep page starts at the anchor at or before
// it and skips fewer than ANCHOR_EVERY entries. Anchors are read lazily, at most ANCHORS_PER_STEP per page read, and
// kept in memory with the broker's list version (tenant_list_versions, bumped by the tenants' triggers whenever a
// tenant comes, goes, is renamed or changes status or a mark): the page's statement checks that version itself, so
// an anchor of an older version never places a page.
export const ANCHOR_EVERY = 1000;
export const ANCHORS_PER_STEP = 100;

// The lists anchors are kept for: the broker's tenants in name order, all of them or those of one status. The
// status sort is these lists one status after another.
export type AnchoredList = 'all' | TenantStatus;

export interface AnchorKey {
  name: string;
  id: number;
}

// Where a page's read starts: after `position` rows of the list, at the row `key` (none: the list's first row).
export interface Anchor {
  key: AnchorKey | null;
  position: number;
  version: number | null; // the list version the key holds at; null for the list's start, which always holds
}

interface Anchors {
  version: number;
  keys: AnchorKey[]; // keys[k - 1]: the row at position k * ANCHOR_EVERY
  complete: boolean; // every anchor of the list is read
}

export interface AnchorStepRow {
  version: number | string;
  name: string;
  id: number | string;
  n: number | string;
}

export type StepStatement = typeof anchorStepStatement;

export class PageAnchors {
  private readonly lists = new Map<string, Anchors>();

  constructor(
    private readonly dialect: Dialect,
    private readonly run: <T>(statement: SqlStatement) => Promise<T[]>,
    private readonly step: StepStatement,
  ) {}

  // The anchor at or before `position`, or null while it is not read yet (the page is then read by OFFSET).
  async anchorFor(brokerId: number, list: AnchoredList, position: number): Promise<Anchor | null> {
    const wanted = Math.floor(position / ANCHOR_EVERY);
    if (wanted === 0) return { key: null, position: 0, version: null };
    const key = `${brokerId}:${list}`;
    let anchors = this.lists.get(key);
    if (!anchors || (anchors.keys.length < wanted && !anchors.complete)) {
      anchors = await this.extend(key, brokerId, list, anchors);
      if (!anchors) return null;
    }
    return anchors.keys.length >= wanted
      ? { key: anchors.keys[wanted - 1], position: wanted * ANCHOR_EVERY, version: anchors.version }
      : null;
  }

  // A page read from an anchor found its version gone: the anchors are read again from the list's start.
  forget(brokerId: number, list: AnchoredList): void {
    this.lists.delete(`${brokerId}:${list}`);
  }

  // One step: the next ANCHORS_PER_STEP anchors after the last one read, with the version they hold at
  // (read in the same statement, so in the same snapshot). A step whose version is not the anchors' own started
  // from a key that may have moved: the anchors start again from the list's start.
  private async extend(
    key: string,
    brokerId: number,
    list: AnchoredList,
    anchors: Anchors | undefined,
  ): Promise<Anchors | undefined> {
    const from = anchors?.keys.at(-1) ?? null;
    const rows = await this.run<AnchorStepRow>(
      this.step(this.dialect, brokerId, list, from, ANCHORS_PER_STEP, ANCHOR_EVERY),
    );
    if (this.lists.get(key) !== anchors) return this.lists.get(key); // another read moved them on meanwhile
    const version = rows.length > 0 ? Number(rows[0].version) : null;
    if (version === null || (anchors && version !== anchors.version)) {
      this.lists.delete(key);
      return undefined;
    }
    // A new object: a step still under way from the same anchors then sees that they moved on.
    const next: Anchors = {
      version,
      keys: [
        ...(anchors?.keys ?? []),
        ...rows.filter((row) => Number(row.n) > 0).map((row) => ({ name: row.name, id: Number(row.id) })),
      ],
      complete: rows.length - 1 < ANCHORS_PER_STEP,
    };
    this.lists.set(key, next);
    return next;
  }
}
