import { Injectable } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import { keysetPage } from '../common/keyset-page';
import type { AuditEventView } from './audit-event';
import { AUDIT_PAGE_SIZE, type AuditCursor, type AuditFilters } from './audit-log.query';
import { AuditRepository } from './audit.repository';

export interface AuditPage {
  events: AuditEventView[];
  newerThan: number | null; // the cursor for newer events, when there are some
  olderThan: number | null; // the cursor for older events, when there are some
}

// The current broker's events for the audit page: newest first, one keyset page at a time (index (broker_id, id)).
@Injectable()
export class AuditLogService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly scope: BrokerScope,
  ) {}

  async page(filters: AuditFilters, cursor: AuditCursor, size = AUDIT_PAGE_SIZE): Promise<AuditPage> {
    const brokerId = this.scope.brokerId();
    const { rows, newerThan, olderThan } = await keysetPage(cursor, size, (bound, limit) =>
      this.repository.page(brokerId, filters, bound, limit),
    );
    return { events: rows, newerThan, olderThan };
  }
}
