// A query parameter as one trimmed text: the first of repeated ones, '' for anything else.
export const firstQueryText = (value: unknown): string => {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first.trim() : '';
};
