// How a user signed in: the sign-in page's password form, or Microsoft Entra ID (src/entra).
export type SignInMethod = 'password' | 'microsoft';

export const SIGN_IN_METHOD_LABELS: Record<SignInMethod, string> = {
  password: 'with a password',
  microsoft: 'with Microsoft',
};
