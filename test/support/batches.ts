import { DataSource } from 'typeorm';
import type { NewBatchRow } from '../../src/bulk-attestations/bulk-attestations.repository';
import { BulkAttestationsRepository } from '../../src/bulk-attestations/bulk-attestations.repository';
import { SqlService } from '../../src/database/sql.service';
import type { Tenant } from '../../src/tenants/tenant.entity';
import { User } from '../../src/users/user.entity';
import { csrfTokenFrom } from './http';
import type { TestApp } from './test-app';
import type TestAgent from 'supertest/lib/agent';

// A valid row for the tenant: what the preview keeps as `pending`.
export function rowFor(tenant: Tenant, rowNumber: number, fields: Partial<NewBatchRow> = {}): NewBatchRow {
  return {
    rowNumber,
    tenantId: tenant.id,
    microsoftTenantId: tenant.microsoftTenantId,
    companyName: tenant.name,
    signatoryFirstName: 'Signer',
    signatoryLastName: `Number ${rowNumber}`,
    signatoryEmail: `signer${rowNumber}@customer.test`,
    signatoryPhone: null,
    country: 'US',
    language: 'en-US',
    autoFinalize: false,
    status: 'pending',
    errors: null,
    skipReason: null,
    attestationId: null,
    error: null,
    ...fields,
  };
}

// A draft batch as the upload's preview leaves it, made by the user with this email.
export async function draftBatch(
  testApp: TestApp,
  email: string,
  rows: NewBatchRow[],
  batch: { fileName?: string | null; fileSha256?: string | null } = {},
) {
  const user = await testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ email });
  return testApp.app.get(SqlService).transaction((tx) =>
    testApp.app.get(BulkAttestationsRepository).insertDraft(
      tx,
      {
        brokerId: user.brokerId,
        source: 'file',
        fileName: batch.fileName === undefined ? 'tenants.csv' : batch.fileName,
        fileSha256: batch.fileSha256 === undefined ? 'ab'.repeat(32) : batch.fileSha256,
        createdByUserId: user.id,
        createdByLabel: `${user.name} (${user.email})`,
        createdAt: new Date(),
      },
      rows,
    ),
  );
}

// A button on a page (confirm on the preview, pause / resume / cancel on the batch page), posted as a browser would
// with a CSRF token read from a page of the same session.
export async function postButton(agent: TestAgent, action: string, pageUrl = '/attestation-batches') {
  const page = await agent.get(pageUrl);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text) });
}

export async function batchRows(testApp: TestApp, batchId: number) {
  return testApp.app
    .get(DataSource)
    .query(`SELECT * FROM attestation_batch_rows WHERE batch_id = ${batchId} ORDER BY row_number`) as Promise<
    { id: number; row_number: number; status: string; attestation_id: number | null; error: string | null }[]
  >;
}
