import { describe, expect, it } from 'vitest';
import { maskPassword, parseDatabaseUrl } from '../../src/db/connection.js';

describe('database URLs in logs and errors', () => {
  it.each([
    'postgres://printsync:s3cret-pw@db.local:5432/printsync',
    'postgres://printsync@db.local/printsync?password=s3cret-pw',
    'postgresql://printsync@db.local/printsync?sslmode=require&password=s3cret-pw&application_name=x',
    'postgres://db.local/printsync?sslpassword=s3cret-pw',
  ])('masks the password of %s', (url) => {
    const masked = maskPassword(url);
    expect(masked).not.toContain('s3cret-pw');
    expect(masked).toContain('db.local');
  });

  it('keeps the rest of the URL readable', () => {
    expect(maskPassword('postgres://u:pw@h/db?password=pw&sslmode=require')).toBe('postgres://u:***@h/db?password=***&sslmode=require');
  });

  it('says what is wrong with an unknown URL without its password', () => {
    expect(() => parseDatabaseUrl('mysql://u@h/db?password=s3cret-pw')).toThrow(/^(?!.*s3cret-pw).*expected "sqlite:PATH"/);
  });
});
