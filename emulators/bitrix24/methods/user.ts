import { Listed, type MethodRegistry } from '../context.js';
import type { PortalClock } from '../clock.js';
import { RestError } from '../errors.js';
import { matches, paginate, parseFilter, parseOrder, sortRows, type ColumnResolver } from '../list-query.js';
import { isPlainRecord, pick } from '../params.js';
import type { Row } from '../store.js';

/** Users as `user.get` returns them: ids as strings, ACTIVE as a JSON boolean. */
function userView(row: Row, clock: PortalClock): Record<string, unknown> {
  return {
    ID: String(row.ID),
    XML_ID: `user_${String(row.ID)}`,
    ACTIVE: row.ACTIVE,
    NAME: row.NAME,
    LAST_NAME: row.LAST_NAME,
    SECOND_NAME: row.SECOND_NAME,
    EMAIL: row.EMAIL,
    LAST_LOGIN: clock.iso(row.LAST_LOGIN as number),
    DATE_REGISTER: clock.iso(row.DATE_REGISTER as number),
    IS_ONLINE: 'N',
    TIME_ZONE_OFFSET: '0',
    PERSONAL_GENDER: '',
    PERSONAL_MOBILE: row.PERSONAL_MOBILE,
    PERSONAL_BIRTHDAY: '',
    WORK_POSITION: row.WORK_POSITION,
    WORK_PHONE: '',
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: row.UF_DEPARTMENT,
    UF_PHONE_INNER: row.UF_PHONE_INNER,
    USER_TYPE: 'employee',
  };
}

const columns: ColumnResolver = (name) => {
  const key = name.toUpperCase();
  if (key === 'ID') return { type: 'integer', get: (row) => row.ID };
  if (key === 'ACTIVE') return { type: 'char', get: (row) => (row.ACTIVE ? 'Y' : 'N') };
  if (key === 'UF_DEPARTMENT') return { type: 'integer', get: (row) => row.UF_DEPARTMENT };
  if (key === 'USER_TYPE') return { type: 'text', get: () => 'employee' };
  if (['NAME', 'LAST_NAME', 'SECOND_NAME', 'EMAIL', 'WORK_POSITION', 'UF_PHONE_INNER', 'PERSONAL_MOBILE'].includes(key)) {
    return { type: 'text', get: (row) => row[key] };
  }
  return undefined;
};

export function registerUserMethods(registry: MethodRegistry): void {
  registry.add('user', 'user.current', (_params, ctx) => {
    const row = ctx.portal.store.get('user', ctx.userId);
    if (!row) throw new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    return userView(row, ctx.portal.clock);
  });

  registry.add('user', 'user.get', (params, ctx) => {
    const clock = ctx.portal.clock;
    // user.get takes filter keys at the top level too (`user.get?ID=1`), or under FILTER.
    const explicit = pick(params, 'filter');
    const topLevel = Object.fromEntries(Object.entries(params).filter(([k]) => !['SORT', 'ORDER', 'FILTER', 'ADMIN_MODE', 'START'].includes(k.toUpperCase())));
    const raw: Record<string, unknown> = { ...topLevel, ...(isPlainRecord(explicit) ? explicit : {}) };
    const search = raw.NAME_SEARCH ?? raw.FIND;
    delete raw.NAME_SEARCH;
    delete raw.FIND;
    const filter = parseFilter(raw, columns, clock, { strict: false, nested: false });
    let rows = ctx.portal.store.all('user').filter((row) => matches(filter, row, clock));
    if (typeof search === 'string' && search.trim() !== '') {
      const needle = search.trim().toLowerCase();
      rows = rows.filter((row) => [row.NAME, row.LAST_NAME, row.SECOND_NAME, row.EMAIL].some((v) => String(v).toLowerCase().includes(needle)));
    }
    const sortField = pick(params, 'sort');
    const order = typeof sortField === 'string' ? parseOrder({ [sortField]: pick(params, 'order') ?? 'ASC' }, columns) : [];
    sortRows(rows, order.length > 0 ? order : [{ column: columns('ID')!, descending: false }], clock);
    const page = paginate(rows, ctx.start, 'legacy');
    return new Listed(page.rows.map((row) => userView(row, clock)), page.total, page.next);
  });
}
