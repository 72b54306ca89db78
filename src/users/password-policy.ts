import { dictionary } from '@zxcvbn-ts/language-common';

// zxcvbn-ts's list of the most used passwords (from leaked password sets), lower-cased.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

// U+FFFD is what the body parser leaves for bytes that were not UTF-8; control characters cannot be typed.
const NOT_TEXT = /[\u0000-\u0008\u000a-\u001f\u007f\ufffd]/;

// Why a new password is refused, or null. Length is checked by the field's own validators.
export function passwordProblem(password: string): string | null {
  if (NOT_TEXT.test(password)) return 'Password contains characters that are not valid text';
  if (password.trim() === '') return 'Password cannot be only spaces: use letters, digits or symbols';
  if (COMMON_PASSWORDS.has(password.trim().toLowerCase()))
    return 'This password is on a list of commonly used passwords: choose another';
  return null;
}
