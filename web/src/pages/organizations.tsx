import { useEffect, useState } from 'react';
import { api, ApiError, query } from '../api';
import { BITRIX, externalId } from '../components/external-ids';
import { LinkRow, ListState, Pager, SearchForm, usePagedList } from '../components/paged-list';
import { Badge, Button, Card, Dl, ErrorBanner, Field, Loading, Notice, PageHeader, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { Link } from '../router';
import type { Organization, Page, Person } from '../types';
import { fieldErrors } from './persons';

const PAGE_SIZE = 25;

export function OrganizationsPage() {
  const { t } = useI18n();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const list = usePagedList<Organization>('/organizations', { search }, PAGE_SIZE);

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
              <th>{t('org.bitrixId')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((o) => (
              <LinkRow key={o.id} to={`/clients/organizations/${o.id}`} title={o.title}>
                <td>{o.inn ?? '—'}</td>
                <td className="hide-narrow">{o.kpp ?? '—'}</td>
                <td className="hide-narrow">{o.companyType ?? '—'}</td>
                <td>{externalId(o.externalIds, BITRIX, 'company') || '—'}</td>
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
  bitrixCompany: string;
}

export function OrganizationPage({ id }: { id: number }) {
  const { t } = useI18n();
  const org = useLoad(() => api<Organization>('GET', `/organizations/${id}`), [id]);
  const employees = useLoad(() => api<Page<Person>>('GET', `/organizations/${id}/employees${query({ limit: 100 })}`), [id]);
  const [form, setForm] = useState<OrgForm | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const o = org.data;
    if (o) setForm({ title: o.title, inn: o.inn ?? '', kpp: o.kpp ?? '', companyType: o.companyType ?? '', bitrixCompany: externalId(o.externalIds, BITRIX, 'company') });
  }, [org.data]);

  if (org.loading && !org.data) return <Loading />;
  if (!org.data || !form) return <ErrorBanner error={org.error} onRetry={() => void org.reload()} />;
  const o = org.data;
  const errors = fieldErrors(error, { title: 'title', inn: 'inn', kpp: 'kpp', companyType: 'companyType', externalIds: 'bitrixCompany' });
  const set = (patch: Partial<OrgForm>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };
  const save = async () => {
    setError(null);
    try {
      const updated = await api<Organization>('PATCH', `/organizations/${id}`, {
        version: o.version,
        title: form.title.trim(),
        inn: form.inn.trim() || null,
        kpp: form.kpp.trim() || null,
        companyType: form.companyType.trim() || null,
        externalIds: { [BITRIX]: { company: form.bitrixCompany.trim() || null } },
      });
      org.setData(updated);
      setSaved(true);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') void org.reload();
    }
  };

  return (
    <div className="page">
      <PageHeader crumbs={<Link to="/clients/organizations">{t('orgs.title')}</Link>} title={o.title} />
      <div className="order-grid">
        <div className="order-main">
          <Card title={t('org.main')}>
            <form className="form" onSubmit={(e) => e.preventDefault()}>
              <Field label={t('org.title')} error={errors.title} htmlFor="title">
                <input id="title" value={form.title} onChange={(e) => set({ title: e.target.value })} />
              </Field>
              <Field label={t('org.inn')} error={errors.inn} htmlFor="inn">
                <input id="inn" inputMode="numeric" value={form.inn} onChange={(e) => set({ inn: e.target.value })} />
              </Field>
              <Field label={t('org.kpp')} error={errors.kpp} htmlFor="kpp">
                <input id="kpp" value={form.kpp} onChange={(e) => set({ kpp: e.target.value })} />
              </Field>
              <Field label={t('org.type')} error={errors.companyType} htmlFor="companyType">
                <input id="companyType" value={form.companyType} onChange={(e) => set({ companyType: e.target.value })} />
              </Field>
              <Field label={t('org.bitrixId')} error={errors.bitrixCompany} htmlFor="bitrixCompany">
                <input id="bitrixCompany" inputMode="numeric" value={form.bitrixCompany} onChange={(e) => set({ bitrixCompany: e.target.value })} data-testid="bitrix-company-id" />
              </Field>
              <div className="form-actions">
                <Button variant="primary" onClick={save} pendingLabel={t('common.saving')} disabled={!form.title.trim()}>
                  {t('common.save')}
                </Button>
                {saved && <Notice>{t('common.saved')}</Notice>}
              </div>
              <ErrorBanner error={error} />
            </form>
          </Card>
        </div>
        <div className="order-side">
          <Card title={t('org.info')}>
            <Dl
              rows={[
                [t('org.title'), o.title],
                [t('org.inn'), o.inn],
                [t('org.kpp'), o.kpp],
                [t('org.bitrixId'), externalId(o.externalIds, BITRIX, 'company') || null],
              ]}
            />
          </Card>
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

