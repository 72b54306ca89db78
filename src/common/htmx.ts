import type { Request } from 'express';

// A request from htmx wants a fragment; a history restore wants the whole page.
export const isHtmxRequest = (req: Request): boolean =>
  req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true';
