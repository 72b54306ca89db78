import { Injectable } from '@nestjs/common';
import { AppUrl } from '../common/app-url';
import { Clock } from '../common/clock';
import type { Tx } from '../database/sql.service';
import { UsersRepository } from '../users/users.repository';
import type { Attestation } from './attestation.record';
import { Outbox } from '../mail/outbox.service';

const when = (date: Date | null): string =>
  date
    ? `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`
    : 'in a few days';

// The attestation's emails, written to the outbox in the transaction of the change that causes them (so each is
// sent once, and never for a change that rolled back). Templates: views/mail/attestation-*.{html,text}.hbs.
@Injectable()
export class AttestationMail {
  constructor(
    private readonly outbox: Outbox,
    private readonly appUrl: AppUrl,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  linkToSignatory(tx: Tx, attestation: Attestation, partnerName: string): Promise<number> {
    return this.outbox.enqueue(tx, {
      brokerId: attestation.brokerId,
      to: attestation.signatoryEmail,
      subject: `${partnerName} asks you to accept the Microsoft Customer Agreement for ${attestation.companyName}`,
      template: 'attestation-link',
      context: this.signatoryContext(attestation, partnerName),
    });
  }

  reminder(tx: Tx, attestation: Attestation, partnerName: string): Promise<number> {
    return this.outbox.enqueue(tx, {
      brokerId: attestation.brokerId,
      to: attestation.signatoryEmail,
      subject: `Reminder: the Microsoft Customer Agreement link for ${attestation.companyName} expires soon`,
      template: 'attestation-reminder',
      context: this.signatoryContext(attestation, partnerName),
    });
  }

  acceptedNotice(tx: Tx, attestation: Attestation): Promise<number | null> {
    return this.toCreator(
      tx,
      attestation,
      'attestation-accepted',
      `${attestation.companyName} accepted the Microsoft Customer Agreement`,
    );
  }

  finalizedNotice(tx: Tx, attestation: Attestation): Promise<number | null> {
    return this.toCreator(
      tx,
      attestation,
      'attestation-finalized',
      `Attestation finalized for ${attestation.companyName}`,
    );
  }

  failedNotice(tx: Tx, attestation: Attestation): Promise<number | null> {
    return this.toCreator(tx, attestation, 'attestation-failed', `Finalize failed for ${attestation.companyName}`);
  }

  private signatoryContext(attestation: Attestation, partnerName: string) {
    return {
      partnerName,
      firstName: attestation.signatoryFirstName,
      companyName: attestation.companyName,
      link: attestation.link,
      expiresText: when(attestation.linkExpiresAt),
    };
  }

  private async toCreator(tx: Tx, attestation: Attestation, template: string, subject: string): Promise<number | null> {
    if (attestation.createdByUserId === null) return null;
    const user = await this.users.summary(attestation.createdByUserId, tx);
    if (!user) return null;
    return this.outbox.enqueue(tx, {
      brokerId: attestation.brokerId,
      to: user.email,
      subject,
      template,
      context: {
        name: user.name,
        companyName: attestation.companyName,
        signatory: `${attestation.signatoryFirstName} ${attestation.signatoryLastName}`,
        error: attestation.lastError,
        url: `${this.appUrl.base()}/tenants/${attestation.tenantId}/attestation`,
        whenText: when(this.clock.now()),
      },
    });
  }
}
