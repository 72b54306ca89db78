// What a token may do: read only, or read and change (create, finalize, cancel, start a sync, request a report).
export const API_TOKEN_SCOPES = ['read', 'write'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const API_TOKEN_SCOPE_LABELS: Record<ApiTokenScope, string> = {
  read: 'Read',
  write: 'Read and write',
};

export const scopeAllows = (scope: ApiTokenScope, needed: ApiTokenScope): boolean =>
  needed === 'read' || scope === 'write';
