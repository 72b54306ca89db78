/* global process, Buffer */
// Validates the OpenAPI document read from stdin with @seriousme/openapi-schema-validator (an ES module only, which
// Jest's CommonJS loader cannot load: test/support/openapi.ts runs this in a process of its own). Prints the result.
import { Validator } from '@seriousme/openapi-schema-validator';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const validator = new Validator();
const result = await validator.validate(JSON.parse(Buffer.concat(chunks).toString('utf8')));
process.stdout.write(
  JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }),
);
