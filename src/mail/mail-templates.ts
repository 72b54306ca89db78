import { Injectable } from '@nestjs/common';
import hbs from 'hbs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAIL_VIEWS = join(__dirname, '..', '..', 'views', 'mail');
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

type Compiled = (context: Record<string, unknown>) => string;

// views/mail/<template>.html.hbs and .text.hbs, compiled once each with the app's Handlebars (its helpers); the
// text part is not HTML-escaped.
@Injectable()
export class MailTemplates {
  private readonly cache = new Map<string, Compiled>();

  render(template: string, context: Record<string, unknown>): { html: string; text: string } {
    if (!TEMPLATE_NAME.test(template)) throw new Error(`Not a mail template name: "${template}"`);
    return {
      html: this.compiled(template, 'html')(context),
      text: this.compiled(template, 'text')(context),
    };
  }

  private compiled(template: string, part: 'html' | 'text'): Compiled {
    const key = `${template}.${part}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      const source = readFileSync(join(MAIL_VIEWS, `${key}.hbs`), 'utf8');
      compiled = hbs.handlebars.compile(source, { noEscape: part === 'text', strict: false });
      this.cache.set(key, compiled);
    }
    return compiled;
  }
}
