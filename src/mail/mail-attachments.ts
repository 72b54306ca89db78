import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';

// An attachment another module keeps (a report's file in the database), opened by that module when the message is
// sent, on whichever instance sends it: `source` names the module's opener, `ref` what it opens.
export interface StoredAttachment {
  filename: string;
  contentType?: string;
  source: string;
  ref: string;
}

// A stream of the attachment's bytes, or null when it no longer exists.
export type AttachmentOpener = (ref: string) => Promise<Readable | null>;

export class AttachmentGoneError extends Error {}

@Injectable()
export class MailAttachments {
  private readonly openers = new Map<string, AttachmentOpener>();

  register(source: string, open: AttachmentOpener): void {
    this.openers.set(source, open);
  }

  async open(attachment: StoredAttachment): Promise<{ filename: string; contentType?: string; content: Readable }> {
    const open = this.openers.get(attachment.source);
    if (!open) throw new Error(`Nothing opens attachments of "${attachment.source}"`);
    const content = await open(attachment.ref);
    if (!content) throw new AttachmentGoneError(`The attachment ${attachment.filename} no longer exists`);
    return { filename: attachment.filename, contentType: attachment.contentType, content };
  }
}
