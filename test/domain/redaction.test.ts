import { describe, expect, it } from 'vitest';
import { MAX_FIELD_CHARS, MAX_STRING_CHARS, isSecretKey, redact, redactText, redactToJson } from '../../src/domain/redaction.js';

describe('redaction', () => {
  it('masks values of secret-looking keys at any depth, and keeps the rest', () => {
    const out = redact({
      token: 'abc',
      apiKey: 'k1',
      api_key: 'k2',
      'X-Api-Key': 'k3',
      password: 'p',
      client_secret: 's',
      webhookCode: 'w',
      application_token: 't',
      headers: { Authorization: 'Bearer xyz', 'content-type': 'application/json' },
      auth: { domain: 'portal.bitrix24.ru', application_token: 't' },
      fields: { TITLE: 'Заказ 42', author: 'Анна', key: 'order:42', code: 'NOT_FOUND' },
      emptyToken: '',
      list: [{ accessToken: 'a' }, 'plain'],
    });
    expect(out).toEqual({
      token: '***',
      apiKey: '***',
      api_key: '***',
      'X-Api-Key': '***',
      password: '***',
      client_secret: '***',
      webhookCode: '***',
      application_token: '***',
      headers: { Authorization: '***', 'content-type': 'application/json' },
      auth: '***',
      fields: { TITLE: 'Заказ 42', author: 'Анна', key: 'order:42', code: 'NOT_FOUND' },
      emptyToken: '',
      list: [{ accessToken: '***' }, 'plain'],
    });
  });

  it('knows secret key names, including bracketed form keys', () => {
    for (const key of ['token', 'apiKey', 'api_key', 'password', 'secret', 'webhookCode', 'application_token', 'auth', 'authorization', 'auth[application_token]', 'Set-Cookie']) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['author', 'key', 'code', 'passport', 'auth[domain]', 'TITLE', 'authority']) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it('masks the webhook code inside Bitrix24 REST URLs', () => {
    expect(redactText('POST https://portal.bitrix24.ru/rest/1/abcd1234efgh5678/crm.deal.add.json failed')).toBe(
      'POST https://portal.bitrix24.ru/rest/1/***/crm.deal.add.json failed',
    );
    expect(redact({ url: 'https://b24-x.bitrix24.ru/rest/17/q1w2e3r4t5/batch?halt=0' })).toEqual({
      url: 'https://b24-x.bitrix24.ru/rest/17/***/batch?halt=0',
    });
  });

  it('masks secrets in query strings, form bodies, JSON text and credentials in prose', () => {
    expect(redactText('GET https://asystem.local:3000/api/orders?api_key=S3CR3T&page=2')).toBe(
      'GET https://asystem.local:3000/api/orders?api_key=***&page=2',
    );
    expect(redactText('event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=5&auth%5Bapplication_token%5D=tok123&auth%5Bdomain%5D=p.ru')).toBe(
      'event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=5&auth%5Bapplication_token%5D=***&auth%5Bdomain%5D=p.ru',
    );
    expect(redactText('{"error":"expired_token","access_token":"eyJhbGciOi","user":"anna"}')).toBe(
      '{"error":"expired_token","access_token":"***","user":"anna"}',
    );
    expect(redactText('sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x to the API')).toBe('sent Authorization: Bearer *** to the API');
    expect(redactText('Basic dXNlcjpwYXNz header; Basic settings stay')).toBe('Basic *** header; Basic settings stay');
    expect(redactText('postgres://printsync:hunter22@db.local/printsync')).toBe('postgres://printsync:***@db.local/printsync');
  });

  it('masks literal secrets wherever they appear, URL-encoded too', () => {
    const apiKey = 'ab+cd/ef==1234';
    const out = redact(
      { message: `server said: key ${apiKey} is revoked`, url: `https://x.ru/?k=${encodeURIComponent(apiKey)}`, nested: [[apiKey]] },
      { secrets: [apiKey, null, undefined, '', '12'] },
    );
    expect(JSON.stringify(out)).not.toContain('ab+cd');
    expect(JSON.stringify(out)).not.toContain(encodeURIComponent(apiKey));
    expect(out).toEqual({ message: 'server said: key *** is revoked', url: 'https://x.ru/?k=***', nested: [['***']] });
  });

  it('masks secrets inside encoded query values: a callback URL with its own token, a key escaped another way', () => {
    expect(redactText(`https://x.ru/cb?next=${encodeURIComponent('https://y.ru/?token=t0k3n-value&page=2')}&lang=ru`)).toBe(
      `https://x.ru/cb?next=${encodeURIComponent('https://y.ru/?token=***&page=2')}&lang=ru`,
    );
    expect(redactText(`state=${encodeURIComponent('https://p.bitrix24.ru/rest/1/q1w2e3r4t5/crm.deal.add')}`)).toBe(
      `state=${encodeURIComponent('https://p.bitrix24.ru/rest/1/***/crm.deal.add')}`,
    );
    const apiKey = 'ab+cd/ef==1234';
    expect(redactText('k=ab%2bcd%2fef%3d%3d1234&page=2', { secrets: [apiKey] })).toBe('k=***&page=2');
    expect(redactText('note=my+secret+phrase&x=1', { secrets: ['my secret phrase'] })).toBe('note=***&x=1');
    // Values with nothing to hide keep their spelling.
    expect(redactText('q=%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7+42&sort=a+b')).toBe('q=%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7+42&sort=a+b');
  });

  it('turns errors, dates, buffers, cycles and bigints into readable values', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('request to https://p.bitrix24.ru/rest/1/secretcode/user.current failed'), {
      status: 401,
      password: 'x',
    });
    const out = redact({
      at: new Date('2026-11-28T10:00:00Z'),
      file: Buffer.from('hello'),
      cyclic,
      big: 10n,
      error,
      fn: () => 1,
    }) as Record<string, unknown>;
    expect(out.at).toBe('2026-11-28T10:00:00.000Z');
    expect(out.file).toBe('[binary, 5 bytes]');
    expect(out.cyclic).toEqual({ name: 'loop', self: '[circular]' });
    expect(out.big).toBe('10');
    expect(out.error).toEqual({ name: 'Error', message: 'request to https://p.bitrix24.ru/rest/1/***/user.current failed', status: 401, password: '***' });
    expect(out).not.toHaveProperty('fn');
  });

  it('cuts long strings and oversized payloads after redacting, so no half secret survives', () => {
    const long = 'x'.repeat(MAX_STRING_CHARS + 10);
    expect((redact({ long }) as { long: string }).long).toMatch(/… \[cut, 4106 characters in all\]$/);

    const secret = 'zz-secret-zz';
    const huge = Array.from({ length: 5_000 }, (_, i) => ({ i, note: `row ${i} uses ${secret}` }));
    const text = redactToJson(huge, { secrets: [secret] })!;
    expect(text.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
    expect(text).not.toContain('zz-secret');
    const parsed = JSON.parse(text) as { truncated: boolean; characters: number; head: string };
    expect(parsed.truncated).toBe(true);
    expect(parsed.characters).toBeGreaterThan(MAX_FIELD_CHARS);
    expect(parsed.head.startsWith('[{"i":0,"note":"row 0 uses ***"}')).toBe(true);

    expect(redactToJson(undefined)).toBeNull();
    expect(redactToJson({ a: 1 })).toBe('{"a":1}');
  });
});
