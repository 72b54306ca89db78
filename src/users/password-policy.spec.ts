import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { NewPasswordField } from './dto/user-fields';
import { passwordProblem } from './password-policy';

class Form {
  @NewPasswordField()
  password: string;
}

const messageFor = (password: unknown) =>
  Object.values(validateSync(plainToInstance(Form, { password }), { stopAtFirstError: true })[0]?.constraints ?? {})[0];

describe('New password policy', () => {
  it('should refuse a password of only spaces, a common one (in any case), and bytes that were not text', () => {
    expect(messageFor(' '.repeat(20))).toBe('Password cannot be only spaces: use letters, digits or symbols');
    expect(messageFor('password1234')).toBe('This password is on a list of commonly used passwords: choose another');
    expect(messageFor('QWERTY123456')).toBe('This password is on a list of commonly used passwords: choose another');
    expect(messageFor('correct horse \ufffd staple')).toBe('Password contains characters that are not valid text');
    expect(messageFor('line one\nline two!')).toBe('Password contains characters that are not valid text');
  });

  it('should say what is missing for empty, short, overlong and non-text input', () => {
    expect(messageFor('')).toBe('Enter a password');
    expect(messageFor(undefined)).toBe('Enter a password');
    expect(messageFor(['a', 'b'])).toBe('Enter a password');
    expect(messageFor('short')).toBe('Password must be at least 12 characters');
    expect(messageFor('x'.repeat(1001))).toBe('Password must be at most 1000 characters');
  });

  it('should accept a long uncommon password, spaces and symbols included', () => {
    expect(messageFor('correct horse battery staple')).toBeUndefined();
    expect(messageFor('  <b>not markup</b> & ünïcödé  ')).toBeUndefined();
    expect(passwordProblem('Tr0ub4dor&3 but longer')).toBeNull();
  });
});
