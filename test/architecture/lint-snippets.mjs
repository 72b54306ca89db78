/* global process, URL */
// Lints snippets of code as if they stood at the given paths, with the project's own ESLint configuration, and
// prints each snippet's messages with the module map (LAYERS) as JSON. It runs outside Jest: ESLint loads its
// configuration with a dynamic import, which Jest's module sandbox refuses.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LAYERS } from '../../eslint.config.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const snippets = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { file, code } of snippets) {
  const [result] = await eslint.lintText(code, { filePath: file });
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify({ layers: LAYERS, results }));
