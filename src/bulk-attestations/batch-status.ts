// A batch's life: a draft while previewed; confirmed once into `running`; `paused` and resumed by the partner;
// `cancelled` (rows not yet sent are not sent) or `finished` when every row has an outcome.
export const BATCH_STATUSES = ['draft', 'running', 'paused', 'cancelled', 'finished'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const BATCH_SOURCES = ['selection', 'file', 'api'] as const;
export type BatchSource = (typeof BATCH_SOURCES)[number];

// A row's life: refused in the preview (`invalid`, with its errors by column) or left out on purpose (`skipped`, with
// the reason); otherwise `pending` until confirmed work sends it, `sending` while Partner Center is asked, then
// `created` (it has its attestation) or `failed` (with the error); `cancelled` when its batch was cancelled first.
export const BATCH_ROW_STATUSES = [
  'invalid',
  'skipped',
  'pending',
  'sending',
  'created',
  'failed',
  'cancelled',
] as const;
export type BatchRowStatus = (typeof BATCH_ROW_STATUSES)[number];
