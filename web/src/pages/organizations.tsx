import { useState } from 'react';
import { api, query } from '../api';
import { externalId } from '../components/external-ids';
import { IntegrationSections } from '../components/integration-sections';
import { LinkRow, ListState, Pager, SearchForm, usePagedList } from '../components/paged-list';
import { EditForm, TextField } from '../components/edit-form';
import { Badge, Card, Dl, ErrorBanner, Loading, Notice, PageHeader, useLoad } from '../components/ui';
import { useEditCard } from '../hooks/use-edit-card';
import { useFreshRecord } from '../hooks/use-fresh-record';
import { useI18n } from '../i18n';
import { headingOf, listColumns, loadIntegrationsView } from '../integrations';
import { Link } from '../router';
import type { Organization, Page, Person } from '../types';

const PAGE_SIZE = 25;

export function OrganizationsPage() {
  const { t, locale } = useI18n();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const list = usePagedList<Organization>('/organizations', { search }, PAGE_SIZE);
  const integrations = useLoad(loadIntegrationsView, []);
  const columns = listColumns(integrations.data, 'organization', list.items);

  return (
    <div className="page">
      <PageHeader crumbs={t('nav.clients')} title={t('orgs.title')} />
      <div className="filters card">
        <SearchForm value={searchText} onChange={setSearchText} onSearch={setSearch} placeholder={`${t('orgs.name')}, ${t('orgs.inn')}, ${t('orgs.kpp')}`} />
      </div>
      <ListState list={list} empty={t('orgs.empty')}>
        <table className="table" data-testid="organizations-table">
          <thead>
            <tr>
              <th>{t('orgs.name')}</th>
              <th>{t('orgs.inn')}</th>
              <th className="hide-narrow">{t('orgs.kpp')}</th>
              <th className="hide-narrow">{t('orgs.type')}</th>
              {columns.map(({ system, field }) => (
                <th key={`${system}.${field.kind}`} data-testid={`column-${system}-${field.kind}`}>
                  {headingOf(field.label[locale])}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.items.map((o) => (
              <LinkRow key={o.id} to={`/clients/organizations/${o.id}`} title={o.title}>
                <td>{o.inn ?? '—'}</td>
                <td className="hide-narrow">{o.kpp ?? '—'}</td>
                <td className="hide-narrow">{o.companyType ?? '—'}</td>
                {columns.map(({ system, field }) => (
                  <td key={`${system}.${field.kind}`} className="nowrap">
                    {externalId(o.externalIds, system, field.kind) || '—'}
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

interface OrgForm {
  title: string;
  inn: string;
  kpp: string;
  companyType: string;
}

const formOf = (o: Organization): OrgForm => ({
  title: o.title,
  inn: o.inn ?? '',
  kpp: o.kpp ?? '',
  companyType: o.companyType ?? '',
});

const bodyOf = (form: OrgForm) => ({
  title: form.title.trim(),
  inn: form.inn.trim() || null,
  kpp: form.kpp.trim() || null,
  companyType: form.companyType.trim() || null,
});

export function OrganizationPage({ id }: { id: number }) {
  const { t } = useI18n();
  const org = useLoad(() => api<Organization>('GET', `/organizations/${id}`), [id]);
  // A change from another system or a colleague shows without a reload; what is being typed stays (useEditCard merges).
  useFreshRecord(org.data, () => api<Organization>('GET', `/organizations/${id}`), org.setData);
  const employees = useLoad(() => api<Page<Person>>('GET', `/organizations/${id}/employees${query({ limit: 100 })}`), [id]);
  const card = useEditCard(org, {
    path: `/organizations/${id}`,
    formOf,
    bodyOf,
    errorFields: { title: 'title', inn: 'inn', kpp: 'kpp', companyType: 'companyType' },
  });

  const { form } = card;
  if (org.loading && !org.data) return <Loading />;
  if (!org.data || !form) return <ErrorBanner error={org.error} onRetry={() => void org.reload()} />;
  const o = org.data;

  return (
    <div className="page">
      <PageHeader crumbs={<Link to="/clients/organizations">{t('orgs.title')}</Link>} title={o.title} />
      <div className="order-grid">
        <div className="order-main">
          <Card title={t('org.main')}>
            <EditForm card={card} disabled={!form.title.trim()}>
              <TextField card={card} name="title" label={t('org.title')} />
              <TextField card={card} name="inn" label={t('org.inn')} inputMode="numeric" />
              <TextField card={card} name="kpp" label={t('org.kpp')} />
              <TextField card={card} name="companyType" label={t('org.type')} />
            </EditForm>
          </Card>
        </div>
        <div className="order-side">
          <Card title={t('org.info')}>
            <Dl
              rows={[
                [t('org.title'), o.title],
                [t('org.inn'), o.inn],
                [t('org.kpp'), o.kpp],
              ]}
            />
          </Card>
          <IntegrationSections entityType="organization" entity={o} editable onSaved={org.setData} onChanged={() => void org.reload()} />
          <Card title={t('org.employees')}>
            {employees.loading && !employees.data ? (
              <Loading />
            ) : !employees.data?.items.length ? (
              <p className="muted">{t('org.noEmployees')}</p>
            ) : (
              <ul className="plain-list" data-testid="employees">
                {employees.data.items.map((p) => (
                  <li key={p.id}>
                    <Link to={`/clients/persons/${p.id}`}>{p.fullName || p.emails[0] || `#${p.id}`}</Link>{' '}
                    {p.isGuest ? (
                      <span title={t('org.guestWarning')}>
                        <Badge tone="warning">{t('persons.guest')}</Badge>
                      </span>
                    ) : (
                      <Badge tone="success">{t('persons.registered')}</Badge>
                    )}
                    <div className="muted small">{[p.phones[0]?.e164, p.emails[0]].filter(Boolean).join(' · ')}</div>
                  </li>
                ))}
              </ul>
            )}
            {employees.data?.items.some((p) => p.isGuest) && <Notice kind="warning">{t('org.guestWarning')}</Notice>}
          </Card>
        </div>
      </div>
    </div>
  );
}

