import { useEffect, useState } from 'react';
import { api, ApiError, query } from '../api';
import { BITRIX, externalId } from '../components/external-ids';
import { LinkRow, ListState, Pager, SearchForm, usePagedList } from '../components/paged-list';
import { Badge, Button, Card, Dl, ErrorBanner, Field, Loading, Notice, PageHeader, useLoad } from '../components/ui';
import { forgetPerson, loadStatuses, statusLabel, statusTone } from '../data';
import { formatDateTime, formatMoney } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import type { Organization, OrderSummary, Page, Person } from '../types';

const PAGE_SIZE = 25;

export function PersonsPage() {
  const { t } = useI18n();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [guests, setGuests] = useState(false);
  const list = usePagedList<Person>('/persons', { search, isGuest: guests ? 'true' : undefined }, PAGE_SIZE);

  return (
    <div className="page">
      <PageHeader crumbs={t('nav.clients')} title={t('persons.title')} />
      <div className="filters card">
        <SearchForm value={searchText} onChange={setSearchText} onSearch={setSearch} placeholder={t('persons.searchPlaceholder')} testId="person-search" />
        <label className="check">
          <input type="checkbox" checked={guests} onChange={(e) => setGuests(e.target.checked)} /> {t('persons.onlyGuests')}
        </label>
      </div>
      <ListState list={list} empty={t('persons.empty')}>
        <table className="table" data-testid="persons-table">
          <thead>
            <tr>
              <th>{t('persons.name')}</th>
              <th>{t('persons.phone')}</th>
              <th className="hide-narrow">{t('persons.email')}</th>
              <th>{t('persons.status')}</th>
              <th className="hide-narrow">{t('person.bitrixContactId')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => (
              <LinkRow key={p.id} to={`/clients/persons/${p.id}`} title={p.fullName || t('persons.noName')}>
                <td className="nowrap">{p.phones[0]?.e164 ?? '—'}</td>
                <td className="hide-narrow">{p.emails[0] ?? '—'}</td>
                <td>{p.isGuest ? <Badge tone="warning">{t('persons.guest')}</Badge> : <Badge tone="success">{t('persons.registered')}</Badge>}</td>
                <td className="hide-narrow">{externalId(p.externalIds, BITRIX, 'contact') || '—'}</td>
              </LinkRow>
            ))}
          </tbody>
        </table>
      </ListState>
      <Pager {...list.pager} />
    </div>
  );
}

interface PersonForm {
  lastName: string;
  firstName: string;
  middleName: string;
  phones: string;
  emails: string;
  isGuest: boolean;
  bitrixContact: string;
}

const formOf = (p: Person): PersonForm => ({
  lastName: p.lastName ?? '',
  firstName: p.firstName ?? '',
  middleName: p.middleName ?? '',
  phones: p.phones.map((ph) => ph.e164 + (ph.extension ? ` доб. ${ph.extension}` : '')).join(', '),
  emails: p.emails.join(', '),
  isGuest: p.isGuest,
  bitrixContact: externalId(p.externalIds, BITRIX, 'contact'),
});

const splitList = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Field errors from the API (`body.phones[1]`) → the form field they belong to. */
export function fieldErrors(error: unknown, map: Record<string, string>): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const result: Record<string, string> = {};
  for (const d of error.details) {
    const path = d.path.replace(/^body\./, '');
    const key = Object.keys(map).find((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
    if (key) result[map[key]!] = result[map[key]!] ? `${result[map[key]!]}; ${d.message}` : d.message;
  }
  return result;
}

export function PersonPage({ id }: { id: number }) {
  const { t, locale } = useI18n();
  const person = useLoad(() => api<Person>('GET', `/persons/${id}`), [id]);
  const orders = useLoad(() => api<Page<OrderSummary>>('GET', `/orders${query({ personId: id, limit: 5 })}`), [id]);
  const statuses = useLoad(loadStatuses, []);
  const [organization, setOrganization] = useState<Organization | null>(null);
  const [form, setForm] = useState<PersonForm | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (person.data) setForm(formOf(person.data));
    if (person.data?.organizationId) void api<Organization>('GET', `/organizations/${person.data.organizationId}`).then(setOrganization, () => setOrganization(null));
  }, [person.data]);

  if (person.loading && !person.data) return <Loading />;
  if (!person.data || !form) return <ErrorBanner error={person.error} onRetry={() => void person.reload()} />;
  const p = person.data;
  const errors = fieldErrors(error, {
    lastName: 'lastName',
    firstName: 'firstName',
    middleName: 'middleName',
    phones: 'phones',
    emails: 'emails',
    externalIds: 'bitrixContact',
  });
  const set = (patch: Partial<PersonForm>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      const updated = await api<Person>('PATCH', `/persons/${id}`, {
        version: p.version,
        lastName: form.lastName.trim() || null,
        firstName: form.firstName.trim() || null,
        middleName: form.middleName.trim() || null,
        phones: splitList(form.phones),
        emails: splitList(form.emails),
        isGuest: form.isGuest,
        externalIds: { [BITRIX]: { contact: form.bitrixContact.trim() || null } },
      });
      forgetPerson(id);
      person.setData(updated);
      setSaved(true);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') void person.reload();
    }
  };

  return (
    <div className="page">
      <PageHeader
        crumbs={<Link to="/clients/persons">{t('persons.title')}</Link>}
        title={
          <>
            {p.fullName || t('persons.noName')} {p.isGuest && <Badge tone="warning">{t('persons.guest')}</Badge>}
          </>
        }
      />
      <div className="order-grid">
        <div className="order-main">
          <Card title={t('person.editProfile')}>
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
              }}
            >
              <Field label={t('person.lastName')} error={errors.lastName} htmlFor="lastName">
                <input id="lastName" value={form.lastName} onChange={(e) => set({ lastName: e.target.value })} />
              </Field>
              <Field label={t('person.firstName')} error={errors.firstName} htmlFor="firstName">
                <input id="firstName" value={form.firstName} onChange={(e) => set({ firstName: e.target.value })} />
              </Field>
              <Field label={t('person.middleName')} error={errors.middleName} htmlFor="middleName">
                <input id="middleName" value={form.middleName} onChange={(e) => set({ middleName: e.target.value })} />
              </Field>
              <Field label={t('person.phones')} error={errors.phones} hint={t('person.phonesHint')} htmlFor="phones">
                <input id="phones" value={form.phones} onChange={(e) => set({ phones: e.target.value })} placeholder="+7 912 345-67-89" />
              </Field>
              <Field label={t('person.emails')} error={errors.emails} htmlFor="emails">
                <input id="emails" value={form.emails} onChange={(e) => set({ emails: e.target.value })} />
              </Field>
              <Field label={t('person.status')}>
                <label className="check">
                  <input type="checkbox" checked={form.isGuest} onChange={(e) => set({ isGuest: e.target.checked })} /> {t('person.guestFlag')}
                </label>
              </Field>
              <Field label={t('person.bitrixContactId')} error={errors.bitrixContact} htmlFor="bitrixContact">
                <input id="bitrixContact" inputMode="numeric" value={form.bitrixContact} onChange={(e) => set({ bitrixContact: e.target.value })} data-testid="bitrix-contact-id" />
              </Field>
              <div className="form-actions">
                <Button variant="primary" onClick={save} pendingLabel={t('common.saving')} data-testid="save-person">
                  {t('common.save')}
                </Button>
                {saved && <Notice>{t('common.saved')}</Notice>}
              </div>
              <ErrorBanner error={error} />
            </form>
          </Card>
        </div>
        <div className="order-side">
          <Card title={t('person.main')}>
            <Dl
              rows={[
                [t('person.status'), p.isGuest ? t('persons.guest') : t('persons.registered')],
                [t('person.phones'), p.phones.map((ph) => ph.e164).join(', ') || null],
                [t('person.emails'), p.emails.join(', ') || null],
                p.organizationId && [t('person.organization'), <Link to={`/clients/organizations/${p.organizationId}`}>{organization?.title ?? `#${p.organizationId}`}</Link>],
                [t('person.bitrixContactId'), <span data-testid="bitrix-contact-shown">{externalId(p.externalIds, BITRIX, 'contact') || '—'}</span>],
                externalId(p.externalIds, BITRIX, 'lead') && ['Bitrix Lead ID:', externalId(p.externalIds, BITRIX, 'lead')],
              ]}
            />
          </Card>
          <Card title={t('person.orders')}>
            {orders.data?.items.length ? (
              <table className="table table-compact">
                <tbody>
                  {orders.data.items.map((o) => (
                    <tr key={o.id}>
                      <td>
                        <Link to={`/orders/${o.id}`}>{o.number}</Link>
                        <div className="muted small">{formatDateTime(o.createdAt, locale)}</div>
                      </td>
                      <td>
                        <Badge tone={statusTone(o.status)}>{statusLabel(statuses.data, o.status, locale)}</Badge>
                      </td>
                      <td className="num nowrap">{formatMoney(o.totals.total, locale, o.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : orders.loading ? (
              <Loading />
            ) : (
              <p className="muted">{t('orders.empty')}</p>
            )}
            {orders.data?.items.length ? (
              <Link to={`/orders?personId=${id}`} className="small">
                {t('nav.orders')} →
              </Link>
            ) : null}
          </Card>
        </div>
      </div>
    </div>
  );
}

