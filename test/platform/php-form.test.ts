import qs from 'qs';
import { describe, expect, it } from 'vitest';
import { parsePhpForm } from '../../src/platform/body-parsers.js';

/**
 * `phpForm` reads the usual form itself and leaves the rest to qs (body-parsers.ts): whatever it
 * is given, the result must be the one qs gives with the same options — the same keys in the same
 * order, the same values, objects without a prototype.
 */
const QS_OPTIONS = { arrayLimit: 500, allowPrototypes: false, plainObjects: true, charset: 'utf-8' } as const;
const viaQs = (body: string, depth = 6, parameterLimit = 2_000) => qs.parse(body, { ...QS_OPTIONS, depth, parameterLimit });

/** The shape of a value, prototypes and key order included. */
function shape(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shape).join(',')}]`;
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) === null ? 'null' : 'Object';
    return `${proto}{${Object.keys(value).map((key) => `${JSON.stringify(key)}:${shape((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

const expectAsQs = (body: string, depth = 6, parameterLimit = 2_000) =>
  expect(shape(parsePhpForm(body, { depth, parameterLimit })), body).toBe(shape(viaQs(body, depth, parameterLimit)));

describe('phpForm reads a form as qs does', () => {
  it('an event as Bitrix24 posts it', () => {
    const body = new URLSearchParams({
      event: 'ONCRMDEALUPDATE',
      event_handler_id: '7',
      'data[FIELDS][ID]': '1234',
      ts: '1764636000',
      'auth[access_token]': '',
      'auth[scope]': 'crm',
      'auth[domain]': 'printshop.bitrix24.ru',
      'auth[client_endpoint]': 'https://printshop.bitrix24.ru/rest/',
      'auth[application_token]': 'tok+en/with=odd&chars ✓',
    }).toString();
    expectAsQs(body);
    const parsed = parsePhpForm(body) as { data: { FIELDS: { ID: string } }; auth: Record<string, string> };
    expect(parsed.data.FIELDS.ID).toBe('1234');
    expect(parsed.auth.application_token).toBe('tok+en/with=odd&chars ✓');
    expect(Object.getPrototypeOf(parsed.auth)).toBeNull();
  });

  it.each([
    '',
    'a',
    '=a',
    'a=',
    'a=1&&b=2',
    '&a=1&',
    'a=1&a=2',
    'a[]=1&a[]=2',
    'a[0]=x&a[1]=y',
    'a[b]=1&a=2',
    'a=2&a[b]=1',
    'a[b]=1&a[b][c]=2',
    'a[b][c]=2&a[b]=1',
    '__proto__[polluted]=1&data[__proto__][x]=2&constructor[prototype][y]=3',
    'hasOwnProperty=1',
    'a[toString]=1',
    'a%5Bb%5D=1&a%5bc%5d=2',
    'a=%5B%5D&b=x%5D%3Dy&c=x%5D=y',
    'a=x]=y',
    'a[b]=x]=y',
    'a=%E0%A4%A&b=%ZZ&c=100%&d=%',
    'a=one+two&b=%2B&c=caf%C3%A9&d=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0',
    'a.b=1',
    'a[b.c]=1',
    'a-b=1&a[b-c]=2',
    'a[ b ]=1',
    'a[]b=1',
    'a[b]c=1',
    'a[[b]]=1',
    '%61=1',
    'a+b=1',
    '1=x&2a=y',
    'a[1b]=1',
    '_=1&_[_]=2',
    'a[b][c][d][e][f][g]=1',
    'a[b][c][d][e][f][g][h]=1',
    'a[b][c][d][e][f][g][h][i]=1',
    'utf8=%E2%9C%93&a=1',
  ])('%s', (body) => expectAsQs(body));

  it('keys deeper than the depth, and more pairs than the limit', () => {
    for (const depth of [0, 1, 2, 3]) for (const body of ['a=1', 'a[b]=1', 'a[b][c]=1', 'a[b][c][d]=1&a[x]=2']) expectAsQs(body, depth);
    expectAsQs('a=1&b=2&c=3', 6, 2);
    expectAsQs('a=1&b=2', 6, 2);
  });

  it('thousands of random forms', () => {
    let seed = 12_345;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]) => items[random(items.length)]!;
    const names = ['a', 'b', 'ID', 'FIELDS', 'auth', 'data', '_x', '0', '1', '', '__proto__', 'constructor', 'a.b', 'x y', 'é', '%61'];
    const values = ['', '1', 'x', 'a+b', '%20', '%E0%A4%A', '%', 'caf%C3%A9', ']=', 'x]=y', '=', '[b]', '%5D%3D', '&'];
    const brackets = (name: string) => (random(8) === 0 ? `%5B${name}%5D` : `[${name}]`);
    for (let n = 0; n < 5_000; n++) {
      const pairs = Array.from({ length: 1 + random(6) }, () => {
        const key = pick(names) + Array.from({ length: random(4) }, () => (random(10) === 0 ? '[]' : brackets(pick(names)))).join('');
        return random(12) === 0 ? key : `${key}=${pick(values)}`;
      });
      expectAsQs(pairs.join(random(15) === 0 ? '&&' : '&'), 1 + random(6), 2 + random(8));
    }
  });
});
