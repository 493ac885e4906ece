import { useState } from 'react';
import { api, query } from '../api';
import { ThroughputChart } from '../components/throughput-chart';
import type { HourBucket } from '../components/throughput-chart';
import { Badge, Button, Card, Empty, ErrorBanner, Loading, Notice, PageHeader, describeError, useLoad } from '../components/ui';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import type { InboundCounts, IntegrationSummary, Job, JobStats } from '../types';
import { loadIntegrationTitles, systemTitle } from '../data';
import { parkedReason } from '../integrations';
import { Link } from '../router';
import { jobFailureReason } from '../server-messages';
import { useIsAdmin } from '../session';

const HOURS = 72;

/** The columns of «Изменения из внешних систем»: what became of the events each system sent. */
const INBOUND_COLUMNS = [
  ['received', 'health.inReceived'],
  ['pending', 'health.inPending'],
  ['applied', 'health.inApplied'],
  ['echo', 'health.inEcho'],
  ['stale', 'health.inStale'],
  ['ignored', 'health.inIgnored'],
  ['failed', 'health.inFailed'],
] as const satisfies ReadonlyArray<readonly [keyof InboundCounts['counts'], string]>;

/** Job names are `<system>.<action>`: the health page groups by system. */
function systemOf(jobName: string): string {
  return jobName.split('.')[0] ?? jobName;
}

export function HealthPage() {
  const { t, locale } = useI18n();
  // Replay is an administrator's decision; a manager resends one order or client from its card.
  const mayReplay = useIsAdmin();
  const stats = useLoad(() => api<JobStats[]>('GET', '/jobs/stats'), []);
  const throughput = useLoad(() => api<HourBucket[]>('GET', `/jobs/throughput${query({ hours: HOURS })}`), []);
  const dead = useLoad(() => api<Job[]>('GET', `/jobs${query({ state: 'dead', limit: 200 })}`), []);
  const titles = useLoad(loadIntegrationTitles, []);
  // Parked integrations: their system refused their credentials; their jobs wait for a fix.
  const integrations = useLoad(() => api<{ items: IntegrationSummary[] }>('GET', '/integrations').then((body) => body.items), []);
  const parked = (integrations.data ?? []).filter((i) => i.alert);
  // Events other systems sent (an older server without the route: no card).
  const inbound = useLoad(
    () =>
      api<{ items: InboundCounts[] }>('GET', '/integrations/inbound').then(
        (body) => body.items,
        () => [],
      ),
    [],
  );
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = async () => {
    await Promise.all([stats.reload(), throughput.reload(), dead.reload(), integrations.reload(), inbound.reload()]);
  };

  const bySystem = new Map<string, JobStats>();
  for (const row of stats.data ?? []) {
    const system = systemOf(row.name);
    const sum = bySystem.get(system) ?? { name: system, pending: 0, retrying: 0, active: 0, completed: 0, dead: 0 };
    sum.pending += row.pending;
    sum.retrying += row.retrying;
    sum.active += row.active;
    sum.completed += row.completed;
    sum.dead += row.dead;
    bySystem.set(system, sum);
  }

  const replay = async (job: Job) => {
    setMessage(null);
    setError(null);
    try {
      await api('POST', `/jobs/${encodeURIComponent(job.id)}/replay`);
      setMessage(t('health.replayed', { id: job.id }));
      await refresh();
    } catch (e) {
      setError(describeError(e, t, locale));
    }
  };

  return (
    <div className="page">
      <PageHeader
        title={t('health.title')}
        actions={
          <Button onClick={refresh} pendingLabel={t('common.loading')}>
            {t('health.refresh')}
          </Button>
        }
      />
      {parked.length > 0 && (
        <Card title={t('health.parkedTitle')} className="parked-card">
          <p className="muted small">{t('health.parkedHint')}</p>
          <ul className="parked-list" data-testid="parked-integrations">
            {parked.map((integration) => (
              <li key={integration.name} className="parked-item" data-testid={`parked-${integration.name}`}>
                <div className="parked-head">
                  <strong>{integration.title[locale]}</strong>
                  <span className="muted small nowrap">{formatDateTime(integration.alert!.raisedAt, locale)}</span>
                </div>
                <div className="reason">{parkedReason(integration.alert!.message)}</div>
                {integration.alert!.jobName && <div className="muted small mono">{integration.alert!.jobName}</div>}
                <Link to="/settings/export" className="small">
                  {t('health.parkedOpen')}
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
      <div className="stat-grid" data-testid="health-systems">
        {stats.loading && !stats.data ? (
          <Loading />
        ) : stats.error ? (
          <ErrorBanner error={stats.error} onRetry={() => void stats.reload()} />
        ) : bySystem.size === 0 ? (
          <Empty>{t('health.noJobs')}</Empty>
        ) : (
          [...bySystem.values()].map((s) => (
            <div className="stat-card card" key={s.name} data-testid={`health-${s.name}`}>
              <div className="stat-title">
                {systemTitle(s.name, locale, titles.data)}{' '}
                {parked.some((i) => i.name === s.name) && <Badge tone="warning">{t('health.parkedBadge')}</Badge>}
              </div>
              <div className="stat-row">
                <Stat label={t('health.pending')} value={s.pending + s.active} />
                <Stat label={t('health.retrying')} value={s.retrying} tone={s.retrying ? 'warning' : undefined} />
                <Stat label={t('health.dead')} value={s.dead} tone={s.dead ? 'danger' : undefined} testId={`dead-count-${s.name}`} />
                <Stat label={t('health.completed')} value={s.completed} />
              </div>
            </div>
          ))
        )}
      </div>

      {(inbound.data ?? []).length > 0 && (
        <Card title={t('health.inboundTitle')}>
          <p className="muted small">{t('health.inboundHint')}</p>
          <div className="table-card">
            <table className="table" data-testid="health-inbound">
              <thead>
                <tr>
                  <th>{t('health.system')}</th>
                  {INBOUND_COLUMNS.map(([, label]) => (
                    <th key={label} className="num">
                      {t(label)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {inbound.data!.map((row) => (
                  <tr key={row.name} data-testid={`health-inbound-${row.name}`}>
                    <td>{row.title[locale]}</td>
                    {INBOUND_COLUMNS.map(([key]) => (
                      <td key={key} className="num" data-testid={`health-inbound-${row.name}-${key}`}>
                        {row.counts[key]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      <Card title={t('health.chart', { days: HOURS / 24 })}>
        {throughput.loading && !throughput.data ? (
          <Loading />
        ) : throughput.error ? (
          <ErrorBanner error={throughput.error} onRetry={() => void throughput.reload()} />
        ) : (
          <>
            <ThroughputChart buckets={throughput.data ?? []} hours={HOURS} locale={locale} labels={{ completed: t('health.chartCompleted'), dead: t('health.chartDead') }} />
            {!throughput.data?.length && <p className="muted small center">{t('health.chartEmpty')}</p>}
          </>
        )}
      </Card>

      <Card title={t('health.deadList')}>
        {message && <Notice>{message}</Notice>}
        {!mayReplay && !!dead.data?.length && (
          <p className="muted small" data-testid="replay-admin-only">
            {t('health.replayAdminOnly')}
          </p>
        )}
        {error && <div className="alert alert-error">{error}</div>}
        {dead.loading && !dead.data ? (
          <Loading />
        ) : dead.error ? (
          <ErrorBanner error={dead.error} onRetry={() => void dead.reload()} />
        ) : !dead.data?.length ? (
          <p className="muted" data-testid="dead-empty">
            {t('health.deadEmpty')}
          </p>
        ) : (
          <table className="table" data-testid="dead-jobs">
            <thead>
              <tr>
                <th>{t('health.system')}</th>
                <th>{t('health.job')}</th>
                <th>{t('health.reason')}</th>
                <th className="nowrap">{t('health.failedAt')}</th>
                <th className="num">{t('health.attempts')}</th>
                {mayReplay && <th />}
              </tr>
            </thead>
            <tbody>
              {dead.data.map((job) => (
                <tr key={job.id} data-testid={`dead-job-${job.id}`}>
                  <td>{systemTitle(systemOf(job.name), locale, titles.data)}</td>
                  <td>
                    <div className="mono small">{job.name}</div>
                    <div className="muted small">#{job.id}{job.key ? ` · ${job.key}` : ''}</div>
                  </td>
                  <td className="reason">{job.lastError ? jobFailureReason(job.lastError, locale) : '—'}</td>
                  <td className="nowrap">{formatDateTime(job.failedAt, locale)}</td>
                  <td className="num">
                    {job.attempts}/{job.maxAttempts}
                  </td>
                  {mayReplay && (
                    <td>
                      <Button variant="primary" onClick={() => replay(job)} pendingLabel={t('common.saving')} data-testid={`replay-${job.id}`}>
                        {t('health.replay')}
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function Stat({ label, value, tone, testId }: { label: string; value: number; tone?: 'warning' | 'danger' | undefined; testId?: string }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`}>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
