import { useEffect, useState } from 'react';
import { ClientPicker } from '../components/client-picker';
import { LinkRow, ListState, Pager, SearchForm, usePagedList } from '../components/paged-list';
import { Badge, PageHeader, useLoad } from '../components/ui';
import { loadPerson, loadStatuses, personName, statusLabel, statusTone } from '../data';
import { formatDateTime, formatMoney } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import type { OrderSummary, Person } from '../types';

const PAGE_SIZE = 20;
const FILTERS = ['status', 'from', 'to', 'personId', 'site', 'number'] as const;

/** «Заказы»: filters live in the address, so back/forward and shared links keep them. */
export function OrdersPage() {
  const { t, locale } = useI18n();
  const { query: params } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const statuses = useLoad(loadStatuses, []);
  const [numberText, setNumberText] = useState(filters.number);
  const [siteText, setSiteText] = useState(filters.site);
  useEffect(() => setNumberText(filters.number), [filters.number]);
  useEffect(() => setSiteText(filters.site), [filters.site]);

  const setFilter = (name: (typeof FILTERS)[number], value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    const text = next.toString();
    navigate(`/orders${text ? `?${text}` : ''}`, { replace: true });
  };

  const list = usePagedList<OrderSummary>(
    '/orders',
    {
      status: filters.status,
      // Days are the manager's own (their time zone), not UTC: 00:30 in Moscow is still that day.
      createdFrom: filters.from ? localMidnight(filters.from) : undefined,
      // «по» includes the whole day; the API's bound is exclusive.
      createdTo: filters.to ? localMidnight(filters.to, 1) : undefined,
      personId: filters.personId,
      site: filters.site,
      number: filters.number,
    },
    PAGE_SIZE,
  );

  const [people, setPeople] = useState<Record<number, Person | null>>({});
  useEffect(() => {
    const ids = [...new Set(list.items.map((o) => o.personId).filter((id): id is number => id !== null))];
    void Promise.all(ids.map(async (id) => [id, await loadPerson(id)] as const)).then((pairs) => setPeople(Object.fromEntries(pairs)));
  }, [list.data]);

  const anyFilter = FILTERS.some((f) => filters[f]);

  return (
    <div className="page">
      <PageHeader
        title={t('orders.title')}
        actions={
          <Link to="/orders/new" className="btn btn-primary" data-testid="new-order-button">
            {t('orders.new')}
          </Link>
        }
      />
      <div className="filters card">
        <SearchForm value={numberText} onChange={setNumberText} onSearch={(text) => setFilter('number', text)} placeholder={t('orders.filter.number')} testId="filter-number" />
        <label className="filter">
          <span>{t('orders.filter.status')}</span>
          <select value={filters.status} onChange={(e) => setFilter('status', e.target.value)} data-testid="filter-status">
            <option value="">{t('common.all')}</option>
            {statuses.data?.map((s) => (
              <option key={s.code} value={s.code}>
                {s[locale]}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t('orders.filter.from')}</span>
          <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => setFilter('from', e.target.value)} />
        </label>
        <label className="filter">
          <span>{t('orders.filter.to')}</span>
          <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => setFilter('to', e.target.value)} />
        </label>
        <div className="filter">
          <span>{t('orders.filter.client')}</span>
          <ClientPicker value={filters.personId ? Number(filters.personId) : null} onChange={(id) => setFilter('personId', id ? String(id) : '')} />
        </div>
        <form
          className="filter"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter('site', siteText.trim());
          }}
        >
          <span>{t('orders.filter.site')}</span>
          <input value={siteText} aria-label={t('orders.filter.site')} onChange={(e) => setSiteText(e.target.value)} onBlur={() => setFilter('site', siteText.trim())} placeholder="shop.example.ru" />
        </form>
        {anyFilter && (
          <button type="button" className="btn btn-link" onClick={() => navigate('/orders', { replace: true })}>
            {t('common.reset')}
          </button>
        )}
      </div>

      <ListState list={list} empty={anyFilter ? t('orders.emptyFiltered') : t('orders.empty')}>
        <table className="table" data-testid="orders-table">
          <thead>
            <tr>
              <th>{t('orders.number')}</th>
              <th>{t('orders.date')}</th>
              <th>{t('orders.client')}</th>
              <th className="hide-narrow">{t('orders.site')}</th>
              <th className="num">{t('orders.total')}</th>
              <th className="hide-narrow">{t('orders.payment')}</th>
              <th>{t('orders.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((order) => (
              <LinkRow key={order.id} to={`/orders/${order.id}`} title={order.number} below={<div className="muted small">{t('orders.items', { count: order.items.length })}</div>}>
                <td className="nowrap">{formatDateTime(order.createdAt, locale)}</td>
                <td>{order.personId ? personName(people[order.personId], `#${order.personId}`) : '—'}</td>
                <td className="hide-narrow">{order.site ?? '—'}</td>
                <td className="num nowrap">{formatMoney(order.totals.total, locale, order.currency)}</td>
                <td className="hide-narrow">
                  <Badge tone={order.payment.status === 'paid' ? 'success' : order.payment.status === 'partly_paid' ? 'warning' : 'neutral'}>
                    {t(`payment.${order.payment.status}` as 'payment.paid')}
                  </Badge>
                </td>
                <td>
                  <Badge tone={statusTone(order.status)} wrap>{statusLabel(statuses.data, order.status, locale)}</Badge>
                </td>
              </LinkRow>
            ))}
          </tbody>
        </table>
      </ListState>
      <Pager {...list.pager} />
    </div>
  );
}

/** The instant a calendar day (`YYYY-MM-DD`, plus `addDays`) begins in the browser's time zone. */
function localMidnight(date: string, addDays = 0): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, day + addDays).toISOString();
}
