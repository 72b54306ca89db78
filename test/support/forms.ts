// The forms of a page of ours as a browser would send them: each POST form's action and its fields' current values
// (checked boxes and radios, selected options, text areas). Our own server-rendered markup, read with patterns.
export interface PageForm {
  action: string;
  fields: [string, string][];
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#x27': "'",
  '#x3D': '=',
};
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#x27|#x3D);/g, (_, name: string) => ENTITIES[name]);

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, name, , value] of tag.matchAll(/([\w:-]+)(="([^"]*)")?/g)) found[name] = decode(value ?? '');
  return found;
}

export function formsOf(html: string, pagePath: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const [, open, body] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const form = attributes(open);
    if ((form.method ?? 'get').toLowerCase() !== 'post') continue;
    const fields: [string, string][] = [];
    for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
      const input = attributes(tag);
      if (!input.name || input.disabled !== undefined) continue;
      if (/^(checkbox|radio)$/.test(input.type ?? '') && input.checked === undefined) continue;
      if (/^(submit|button|image|file)$/.test(input.type ?? '')) continue;
      fields.push([input.name, input.value ?? (input.type === 'checkbox' ? 'on' : '')]);
    }
    for (const [, open, options] of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attributes(open).name;
      const values = [...options.matchAll(/<option\b([^>]*)>([^<]*)/g)].map(
        ([, tag, text]): Record<string, string> => ({ ...attributes(tag), text: decode(text).trim() }),
      );
      const chosen = values.find((option) => option.selected !== undefined) ?? values[0];
      if (name && chosen) fields.push([name, chosen.value ?? chosen.text]);
    }
    for (const [, open, text] of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attributes(open).name;
      if (name) fields.push([name, decode(text)]);
    }
    forms.push({ action: form.action ? decode(form.action) : pagePath, fields });
  }
  return forms;
}
