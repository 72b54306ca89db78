import { HttpException, Injectable, NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FileInterceptor } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { of } from 'rxjs';
import { FILE_TOO_LARGE, UNREADABLE_UPLOAD, MAX_UPLOAD_BYTES, UPLOAD_FIELD } from './spreadsheet-reader';

declare module 'express' {
  interface Request {
    // multer's file (its types are not installed): the upload, held in memory up to MAX_UPLOAD_BYTES.
    file?: { originalname: string; buffer: Buffer; size: number };
    // Why the upload was not read, said on the form (a file over the limit).
    uploadRefusal?: string;
  }
}

export const UPLOAD_PATH = '/attestation-batches';

// The upload form is multipart, which the app's body parser does not read: its `_csrf` field would be unseen and
// the CSRF check would refuse every upload. Putting the token in the URL instead would leak it (logs, Referer), so
// this middleware reads the multipart body with Nest's FileInterceptor (multer) before the CSRF check, for this one
// route only, and the check reads `_csrf` from the body as it does for every other form. The form puts `_csrf`
// before the file, so the token is read even when the file is refused for its size. The limits bound what an
// unchecked request can make the server hold: one file of at most 5 MB (plus one byte, to tell "too large"), a
// handful of small fields.
const Upload = FileInterceptor(UPLOAD_FIELD, {
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 },
});

@Injectable()
export class BulkUploadMiddleware implements NestMiddleware {
  private readonly upload = new Upload();

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (req.method !== 'POST' || req.path !== UPLOAD_PATH || !req.is('multipart/form-data')) return next();
    try {
      await this.upload.intercept(new ExecutionContextHost([req, res]), { handle: () => of(null) });
    } catch (error) {
      // multer's refusals (too large, too many parts, another field name) become the form's message; the CSRF
      // check still runs first on what was read.
      if (!(error instanceof HttpException)) throw error;
      req.uploadRefusal = error instanceof PayloadTooLargeException ? FILE_TOO_LARGE : UNREADABLE_UPLOAD;
      delete req.file;
    }
    next();
  }
}
