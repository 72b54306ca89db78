import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { parseAttestationInput } from '../attestations/attestation-input';
import { AttestationsService } from '../attestations/attestations.service';
import type { AttestationForm } from '../attestations/dto/attestation-form.dto';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { NotFoundInBrokerError, ValidationFailedError } from '../common/domain-errors';
import type { CurrentUser } from '../common/request-context';
import { SqlService } from '../database/sql.service';
import { TENANT_STATUS_LABELS } from '../tenants/tenant-status';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { AttestationBatchRow } from './attestation-batch-row.entity';
import type { AttestationBatch } from './attestation-batch.entity';
import { rowCells, validateBatchRows, type BatchInputRow, type BatchTenant } from './batch-rows-validation';
import type { BatchRowStatus } from './batch-status';
import { cellsOf, mapHeader, type ExportedTenant, type TemplateTenant } from './batch-template';
import { BulkAttestationsRepository, type NewBatch, type NewBatchRow } from './bulk-attestations.repository';
import { MAX_UPLOAD_ROWS, NO_ROWS, readSpreadsheet, type Sheet } from './spreadsheet-reader';
import { NOTHING_SELECTED, TOO_MANY_SELECTED, type TenantSelection } from './tenant-selection';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

// The preview's views of a batch's rows: what will be created, what is skipped, what is refused.
export const PREVIEW_SHOWS = { all: null, create: ['pending'], skip: ['skipped'], errors: ['invalid'] } as const;
export type PreviewShow = keyof typeof PREVIEW_SHOWS;
export const PREVIEW_PAGE_SIZE = 100;

export interface BatchPreview {
  batch: AttestationBatch;
  counts: { create: number; skip: number; errors: number };
  rows: AttestationBatchRow[];
  page: number;
  pageCount: number;
}

// Tenant lookups are sliced: a statement binds at most this many values.
const LOOKUP_SLICE = 500;
const NO_FILE = 'Choose a CSV or XLSX file to upload.';

const slices = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const toBatchTenant = (tenant: {
  id: number;
  microsoftTenantId: string;
  name: string;
  status: BatchTenant['status'];
  removedAt: Date | null;
  reacceptanceNeeded: boolean;
}): BatchTenant => ({
  id: tenant.id,
  microsoftTenantId: tenant.microsoftTenantId,
  name: tenant.name,
  status: tenant.status,
  removed: tenant.removedAt !== null,
  reacceptanceNeeded: tenant.reacceptanceNeeded,
});

// The first half of a bulk attestation: tenants chosen on the list or listed in a spreadsheet become a draft batch,
// each row checked as the single form checks it, shown in a preview. Nothing is sent until the draft is confirmed.
@Injectable()
export class BulkUploadService {
  constructor(
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
    private readonly tenants: TenantsRepository,
    private readonly batches: BulkAttestationsRepository,
    private readonly attestations: AttestationsService,
    private readonly clock: Clock,
  ) {}

  // "Send reminders" on the list: the attestations' own reminder (one per link) for the selection's pending tenants.
  async remindSelection(selection: TenantSelection | null): Promise<{ sent: number; alreadyReminded: number }> {
    const pending = (await this.selectedTenants(selection)).filter((t) => t.status === 'pending').map((t) => t.id);
    const total = { sent: 0, alreadyReminded: 0 };
    for (const slice of slices(pending, LOOKUP_SLICE)) {
      const result = await this.attestations.remindTenants(slice);
      total.sent += result.sent;
      total.alreadyReminded += result.alreadyReminded;
    }
    return total;
  }

  // An uploaded file as a draft. The same file uploaded twice makes two drafts: neither is sent unless confirmed.
  async draftFromFile(file: UploadedFile | undefined, user: CurrentUser): Promise<AttestationBatch> {
    if (!file || file.buffer.length === 0) throw new ValidationFailedError({ file: NO_FILE });
    const sheet = await readSpreadsheet(file.buffer);
    const rows = this.sheetRows(sheet);
    const tenants = await this.tenantsByMicrosoftId(rows.map((row) => row.cells.microsoftTenantId));
    return this.saveDraft(
      {
        source: 'file',
        fileName: [...file.originalname].slice(0, 255).join(''),
        fileSha256: createHash('sha256').update(file.buffer).digest('hex'),
      },
      validateBatchRows(rows, tenants),
      user,
    );
  }

  // One signatory for every selected tenant: the fields are checked once (messages next to them), then each tenant.
  async draftFromSelection(
    selection: TenantSelection | null,
    form: AttestationForm,
    user: CurrentUser,
  ): Promise<AttestationBatch> {
    const { input, errors } = parseAttestationInput({ ...form, companyName: 'each tenant', emailLink: 'yes' });
    delete errors.requestToken;
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    const tenants = await this.selectedTenants(selection);
    const rows = tenants.map((tenant, index) => ({
      rowNumber: index + 1,
      cells: rowCells(tenant.microsoftTenantId, tenant.name, input),
    }));
    const byId = new Map(tenants.map((tenant) => [tenant.microsoftTenantId.toLowerCase(), tenant]));
    return this.saveDraft(
      { source: 'selection', fileName: null, fileSha256: null },
      validateBatchRows(rows, byId),
      user,
    );
  }

  // The template's tenants: the selection's, in id order.
  async templateTenants(selection: TenantSelection | null): Promise<TemplateTenant[]> {
    return (await this.selectedTenants(selection)).map(({ microsoftTenantId, name }) => ({ microsoftTenantId, name }));
  }

  // The ticked tenants for the list's "Export", with their status in words.
  async exportedTenants(selection: TenantSelection | null): Promise<ExportedTenant[]> {
    return (await this.selectedTenants(selection)).map(({ microsoftTenantId, name, status }) => ({
      microsoftTenantId,
      name,
      statusLabel: TENANT_STATUS_LABELS[status],
    }));
  }

  // How many tenants the selection names (the list's "Create attestations for N tenants").
  async selectionSize(selection: TenantSelection): Promise<number> {
    return selection.kind === 'ids'
      ? selection.ids.length
      : this.tenants.countFiltered(this.scope.brokerId(), selection.filter);
  }

  async draft(batchId: number): Promise<AttestationBatch> {
    const batch = await this.batches.findBatch(this.scope.brokerId(), batchId);
    if (!batch) throw new NotFoundInBrokerError('That batch');
    return batch;
  }

  async preview(batch: AttestationBatch, show: PreviewShow, page: number): Promise<BatchPreview> {
    const counts = (await this.batches.countsOf([batch.id])).get(batch.id)!;
    const shown: Record<PreviewShow, number> = {
      all: batch.rowCount,
      create: counts.pending,
      skip: counts.skipped,
      errors: counts.invalid,
    };
    const pageCount = Math.max(1, Math.ceil(shown[show] / PREVIEW_PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pageCount);
    const statuses = PREVIEW_SHOWS[show] as readonly BatchRowStatus[] | null;
    const rows = await this.batches.rowsPage(batch.id, statuses, {
      offset: (current - 1) * PREVIEW_PAGE_SIZE,
      limit: PREVIEW_PAGE_SIZE,
    });
    return {
      batch,
      counts: { create: counts.pending, skip: counts.skipped, errors: counts.invalid },
      rows,
      page: current,
      pageCount,
    };
  }

  private sheetRows(sheet: Sheet): BatchInputRow[] {
    const mapped = mapHeader(sheet.header);
    if ('missing' in mapped)
      throw new ValidationFailedError({
        file: `This file has no “${mapped.missing}” column in its first row. Download the template: its first row names the columns.`,
      });
    const rows = sheet.rows.map((row) => ({ rowNumber: row.rowNumber, cells: cellsOf(row.cells, mapped.columns) }));
    if (rows.length === 0) throw new ValidationFailedError({ file: NO_ROWS });
    return rows;
  }

  // The broker's tenants named by the rows, keyed by their Microsoft id in lower case (as a file may write it).
  // The broker's tenants named by these Microsoft tenant ids, keyed in lower case (as validateBatchRows reads them).
  async tenantsByMicrosoftId(ids: readonly string[]): Promise<Map<string, BatchTenant>> {
    const wanted = [...new Set(ids.filter((id) => id !== '').flatMap((id) => [id, id.toLowerCase()]))];
    const found = new Map<string, BatchTenant>();
    for (const slice of slices(wanted, LOOKUP_SLICE)) {
      const tenants = await this.tenants.knownTenants(this.scope.brokerId(), undefined, { microsoftTenantIds: slice });
      for (const tenant of tenants)
        found.set(
          tenant.microsoftTenantId.toLowerCase(),
          toBatchTenant({ ...tenant, reacceptanceNeeded: tenant.reacceptance !== null }),
        );
    }
    return found;
  }

  // The selected tenants of this broker: ticked ids read by id, "all matching" read as the report reads its filter
  // (keyset batches on the list's indexes).
  private async selectedTenants(selection: TenantSelection | null): Promise<BatchTenant[]> {
    if (!selection) throw new ValidationFailedError({ form: NOTHING_SELECTED });
    const brokerId = this.scope.brokerId();
    const tenants: BatchTenant[] = [];
    if (selection.kind === 'ids') {
      if (selection.ids.length > MAX_UPLOAD_ROWS) throw new ValidationFailedError({ form: TOO_MANY_SELECTED });
      for (const slice of slices(selection.ids, LOOKUP_SLICE))
        tenants.push(...(await this.tenants.rowsById(brokerId, slice)).map(toBatchTenant));
    } else {
      for (let after = 0; ;) {
        const batch = await this.tenants.filteredBatch(brokerId, selection.filter, after, LOOKUP_SLICE);
        if (batch.length === 0) break;
        tenants.push(...batch.filter((tenant) => tenant.listed).map(toBatchTenant));
        if (tenants.length > MAX_UPLOAD_ROWS) throw new ValidationFailedError({ form: TOO_MANY_SELECTED });
        after = batch[batch.length - 1].id;
      }
    }
    if (tenants.length === 0) throw new ValidationFailedError({ form: NOTHING_SELECTED });
    return tenants;
  }

  private saveDraft(
    source: Pick<NewBatch, 'source' | 'fileName' | 'fileSha256'>,
    rows: NewBatchRow[],
    user: CurrentUser,
  ): Promise<AttestationBatch> {
    const batch: NewBatch = {
      ...source,
      brokerId: this.scope.brokerId(),
      createdByUserId: user.id,
      createdByLabel: `${user.name} (${user.email})`,
      createdAt: this.clock.now(),
    };
    return this.sql.transaction((tx) => this.batches.insertDraft(tx, batch, rows));
  }
}
