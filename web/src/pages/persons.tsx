import { useEffect, useState } from 'react';
import { api, query } from '../api';
import { externalId } from '../components/external-ids';
import { IntegrationSections } from '../components/integration-sections';
import { LinkRow, ListState, Pager, SearchForm, usePagedList } from '../components/paged-list';
import { EditForm, TextField } from '../components/edit-form';
import { Badge, Card, Dl, ErrorBanner, Field, Loading, PageHeader, useLoad } from '../components/ui';
import { forgetPerson, loadStatuses, statusLabel, statusTone } from '../data';
import { formatDateTime, formatMoney } from '../format';
import { useEditCard } from '../hooks/use-edit-card';
import { useFreshRecord } from '../hooks/use-fresh-record';
import { useI18n } from '../i18n';
import { headingOf, listColumns, loadIntegrationsView } from '../integrations';
import { Link } from '../router';
import type { Organization, OrderSummary, Page, Person } from '../types';

const PAGE_SIZE = 25;

export function PersonsPage() {
  const { t, locale } = useI18n();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [guests, setGuests] = useState(false);
  const list = usePagedList<Person>('/persons', { search, isGuest: guests ? 'true' : undefined }, PAGE_SIZE);
  const integrations = useLoad(loadIntegrationsView, []);
  const columns = listColumns(integrations.data, 'person', list.items);

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
              {columns.map(({ system, field }) => (
                <th key={`${system}.${field.kind}`} className="hide-narrow" data-testid={`column-${system}-${field.kind}`}>
                  {headingOf(field.label[locale])}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => (
              <LinkRow key={p.id} to={`/clients/persons/${p.id}`} title={p.fullName || t('persons.noName')}>
                <td className="nowrap">{p.phones[0]?.e164 ?? '—'}</td>
                <td className="hide-narrow">{p.emails[0] ?? '—'}</td>
                <td>{p.isGuest ? <Badge tone="warning">{t('persons.guest')}</Badge> : <Badge tone="success">{t('persons.registered')}</Badge>}</td>
                {columns.map(({ system, field }) => (
                  <td key={`${system}.${field.kind}`} className="hide-narrow nowrap">
                    {externalId(p.externalIds, system, field.kind) || '—'}
                  </td>
                ))}
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
}

const formOf = (p: Person): PersonForm => ({
  lastName: p.lastName ?? '',
  firstName: p.firstName ?? '',
  middleName: p.middleName ?? '',
  phones: p.phones.map((ph) => ph.e164 + (ph.extension ? ` доб. ${ph.extension}` : '')).join(', '),
  emails: p.emails.join(', '),
  isGuest: p.isGuest,
});

const splitList = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

const bodyOf = (form: PersonForm) => ({
  lastName: form.lastName.trim() || null,
  firstName: form.firstName.trim() || null,
  middleName: form.middleName.trim() || null,
  phones: splitList(form.phones),
  emails: splitList(form.emails),
  isGuest: form.isGuest,
});

export function PersonPage({ id }: { id: number }) {
  const { t, locale } = useI18n();
  const person = useLoad(() => api<Person>('GET', `/persons/${id}`), [id]);
  // A change from another system or a colleague shows without a reload; what is being typed stays (useEditCard merges).
  useFreshRecord(person.data, () => api<Person>('GET', `/persons/${id}`), person.setData);
  const orders = useLoad(() => api<Page<OrderSummary>>('GET', `/orders${query({ personId: id, limit: 5 })}`), [id]);
  const statuses = useLoad(loadStatuses, []);
  const [organization, setOrganization] = useState<Organization | null>(null);
  const card = useEditCard(person, {
    path: `/persons/${id}`,
    formOf,
    bodyOf,
    errorFields: { lastName: 'lastName', firstName: 'firstName', middleName: 'middleName', phones: 'phones', emails: 'emails' },
    onSaved: () => forgetPerson(id),
  });

  useEffect(() => {
    if (person.data?.organizationId) void api<Organization>('GET', `/organizations/${person.data.organizationId}`).then(setOrganization, () => setOrganization(null));
  }, [person.data]);

  const { form } = card;
  if (person.loading && !person.data) return <Loading />;
  if (!person.data || !form) return <ErrorBanner error={person.error} onRetry={() => void person.reload()} />;
  const p = person.data;

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
            <EditForm card={card} saveTestId="save-person">
              <TextField card={card} name="lastName" label={t('person.lastName')} />
              <TextField card={card} name="firstName" label={t('person.firstName')} />
              <TextField card={card} name="middleName" label={t('person.middleName')} />
              <TextField card={card} name="phones" label={t('person.phones')} hint={t('person.phonesHint')} placeholder="+7 912 345-67-89" />
              <TextField card={card} name="emails" label={t('person.emails')} />
              <Field label={t('person.status')}>
                <label className="check">
                  <input type="checkbox" checked={form.isGuest} onChange={(e) => card.set({ isGuest: e.target.checked })} /> {t('person.guestFlag')}
                </label>
              </Field>
            </EditForm>
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
              ]}
            />
          </Card>
          <IntegrationSections
            entityType="person"
            entity={p}
            editable
            onSaved={(updated) => {
              forgetPerson(id);
              person.setData(updated);
            }}
            onChanged={() => {
              forgetPerson(id);
              void person.reload();
            }}
          />
          <Card title={t('person.orders')}>
            {orders.data?.items.length ? (
              <table className="table table-compact" data-testid="person-orders">
                <tbody>
                  {orders.data.items.map((o) => (
                    <tr key={o.id}>
                      <td>
                        <Link to={`/orders/${o.id}`}>{o.number}</Link>
                        <div className="muted small">{formatDateTime(o.createdAt, locale)}</div>
                      </td>
                      <td className="num">
                        <div className="nowrap">{formatMoney(o.totals.total, locale, o.currency)}</div>
                        <Badge tone={statusTone(o.status)} wrap>{statusLabel(statuses.data, o.status, locale)}</Badge>
                      </td>
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

