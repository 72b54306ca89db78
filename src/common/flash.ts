import type { Request } from 'express';

export type FlashKind = 'success' | 'error' | 'info';
export interface FlashMessage {
  kind: FlashKind;
  text: string;
  // Names a message that a later fragment replaces out of band (the sync's "started" once it has ended).
  id?: string;
}

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

// One-time messages that survive the redirect after a POST.
export function flash(req: Request, kind: FlashKind, text: string, id?: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), id ? { kind, text, id } : { kind, text }];
}

export function takeFlash(req: Request): FlashMessage[] {
  const messages = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return messages;
}
