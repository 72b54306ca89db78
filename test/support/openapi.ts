import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface OpenApiValidation {
  valid: boolean;
  version: string;
  errors: unknown;
}

// The document checked against the OpenAPI specification's own JSON schema, by a maintained validator.
export function validateOpenApi(document: unknown): Promise<OpenApiValidation> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'openapi-validator.mjs')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(output) as OpenApiValidation) : reject(new Error(`Validator exited ${code}`)),
    );
    child.stdin.end(JSON.stringify(document));
  });
}
