import { Injectable } from '@nestjs/common';
import { AppUrl } from '../common/app-url';
import type { Tx } from '../database/sql.service';
import { Outbox } from '../mail/outbox.service';
import { UsersRepository } from '../users/users.repository';
import type { AttestationBatch } from './attestation-batch.entity';
import type { RowCounts } from './bulk-attestations.repository';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// The one email to the batch's creator once every row has been sent, written in the transaction that finishes the
// batch (so it is sent once). A batch made through the API has no person to tell.
@Injectable()
export class BatchSummaryMail {
  constructor(
    private readonly outbox: Outbox,
    private readonly users: UsersRepository,
    private readonly appUrl: AppUrl,
  ) {}

  async send(tx: Tx, batch: AttestationBatch, counts: RowCounts, brokerName: string): Promise<void> {
    if (batch.createdByUserId === null) return;
    const user = await this.users.summary(batch.createdByUserId, tx);
    if (!user?.active) return;
    const paragraphs = [
      `Hello ${user.name},`,
      `Your attestation batch ${batch.id}${batch.fileName ? ` (${batch.fileName})` : ''} has been sent: ` +
        `${plural(counts.created, 'agreement link was', 'agreement links were')} created and emailed to the signatories` +
        (counts.failed > 0 ? `, and ${plural(counts.failed, 'row', 'rows')} failed.` : '.'),
      'The batch page shows each row and offers the result file with every link, updated as customers accept.',
    ];
    await this.outbox.enqueue(tx, {
      brokerId: batch.brokerId,
      to: user.email,
      subject: `Attestation batch ${batch.id} sent: ${plural(counts.created, 'link', 'links')} created${
        counts.failed > 0 ? `, ${counts.failed} failed` : ''
      }`,
      template: 'notice',
      context: {
        heading: `Attestation batch ${batch.id} has been sent`,
        paragraphs,
        link: { label: 'View the batch', href: `${this.appUrl.base()}/attestation-batches/${batch.id}` },
        brokerName,
      },
    });
  }
}
