import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { SchemaForm } from '../components/schema-form';
import { SettingsActions } from '../components/settings-actions';
import type { FormValue, JsonSchema } from '../components/schema-form';
import { ActionForm, Button, Card, describeError, ErrorBanner, Loading, Notice, PageHeader, Toggle, useLoad } from '../components/ui';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { localizeMessage } from '../server-messages';
import { parkedReason } from '../integrations';
import { useIsAdmin } from '../session';
import type { IntegrationAlert, IntegrationSummary, PanelIntegration, PanelSettingsSection, SettingsActionAnswer } from '../types';

interface IntegrationSettings extends IntegrationSummary {
  settings: FormValue;
  secrets: Record<string, { hasValue: boolean; masked: string | null }>;
  secretFields: string[];
  schema: JsonSchema;
}

/** «Заказы / Настройка / Выгрузка заказов» → «ERP и CRM системы»: one toggle per system. */
export function IntegrationsPage() {
  const { t } = useI18n();
  const list = useLoad(async () => {
    try {
      return (await api<{ items: IntegrationSummary[] }>('GET', '/integrations')).items;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, []);
  // The integrations' subsections of their forms; without them the forms are drawn whole.
  const panel = useLoad(() => api<{ items: PanelIntegration[] }>('GET', '/integrations/panel').then((body) => body.items, () => [] as PanelIntegration[]), []);

  return (
    <div className="page">
      <PageHeader crumbs={`${t('nav.orders')} / ${t('integrations.title')}`} title={t('integrations.tab')} />
      <Card title={t('integrations.erp')}>
        {list.loading && !list.data ? (
          <Loading />
        ) : list.error ? (
          <ErrorBanner error={list.error} onRetry={() => void list.reload()} />
        ) : list.data === null ? (
          <p className="muted">{t('integrations.unavailable')}</p>
        ) : !list.data?.length ? (
          <p className="muted">{t('integrations.none')}</p>
        ) : (
          <div className="accordion">
            {list.data.map((integration) => (
              <IntegrationRow
                key={integration.name}
                summary={integration}
                sections={panel.data?.find((item) => item.name === integration.name)?.settingsSections ?? []}
                onSaved={() => void list.reload()}
              />
            ))}
          </div>
        )}
      </Card>
    </div>
  );
}

function IntegrationRow({ summary, sections, onSaved }: { summary: IntegrationSummary; sections: PanelSettingsSection[]; onSaved(): void }) {
  const { t, locale } = useI18n();
  const isAdmin = useIsAdmin();
  const [open, setOpen] = useState(summary.enabled);
  const [enabled, setEnabled] = useState(summary.enabled);
  const [switching, setSwitching] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => setEnabled(summary.enabled), [summary.enabled]);

  const toggle = async (on: boolean) => {
    setMessage(null);
    setError(null);
    if (on) {
      // Switching on opens the form; it is saved (and checked) with «Сохранить».
      setEnabled(true);
      setOpen(true);
      return;
    }
    setOpen(false);
    if (!summary.enabled) return setEnabled(false);
    // Switching off takes effect at once: the current values are kept, only the flag changes.
    setSwitching(true);
    try {
      const current = await api<IntegrationSettings>('GET', `/integrations/${summary.name}/settings`);
      await api('PUT', `/integrations/${summary.name}/settings`, { version: current.version, enabled: false, settings: current.settings });
      setEnabled(false);
      setMessage(t('integrations.turnedOff'));
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setSwitching(false);
    }
  };

  return (
    <div className={`accordion-item${open ? ' is-open' : ''}`} data-testid={`integration-${summary.name}`}>
      <div className="accordion-head">
        <Toggle checked={enabled} disabled={switching || !isAdmin} onChange={(on) => void toggle(on)} label={<strong>{summary.title[locale]}</strong>} testId={`toggle-${summary.name}`} />
        <span className="muted small">
          {summary.version > 0 && summary.updatedAt
            ? t(summary.updatedBy ? 'integrations.savedBy' : 'integrations.saved', { version: summary.version, at: formatDateTime(summary.updatedAt, locale), by: summary.updatedBy ?? '' })
            : ''}
        </span>
      </div>
      {summary.alert && (
        <ParkedAlert
          name={summary.name}
          alert={summary.alert}
          onResumed={(resumed) => {
            setError(null);
            setMessage(t(resumed ? 'integrations.resumed' : 'integrations.notParked'));
            onSaved();
          }}
          onFailed={setError}
        />
      )}
      {message && (
        <Notice kind="info">
          <span data-testid={`message-${summary.name}`}>{message}</span>
        </Notice>
      )}
      <ErrorBanner error={error} />
      {open && <SettingsPanel name={summary.name} enabled={enabled} sections={sections} onSaved={onSaved} />}
    </div>
  );
}

/**
 * The integration is parked: its system refused its credentials or rights, and its jobs wait.
 * Saving the settings resumes it; «Возобновить» does so without a change here (the fix was made
 * on the other side, e.g. a scope added to the webhook).
 */
function ParkedAlert({ name, alert, onResumed, onFailed }: { name: string; alert: IntegrationAlert; onResumed(resumed: boolean): void; onFailed(error: unknown): void }) {
  const { t, locale } = useI18n();
  const isAdmin = useIsAdmin();
  const resume = async () => {
    try {
      const answer = await api<{ resumed: boolean }>('POST', `/integrations/${name}/resume`);
      onResumed(answer.resumed);
    } catch (e) {
      onFailed(e);
    }
  };
  return (
    <div className="alert alert-warning parked-alert" role="alert" data-testid={`alert-${name}`}>
      <div>
        <div>{t('integrations.parked', { message: parkedReason(alert.message) })}</div>
        <div className="small parked-meta">
          {t('integrations.parkedSince', { time: formatDateTime(alert.raisedAt, locale) })}
          {alert.jobName ? ` · ${t('integrations.parkedJob', { job: alert.jobName })}` : ''}
        </div>
      </div>
      {isAdmin && (
        <Button onClick={resume} pendingLabel={t('integrations.resuming')} data-testid={`resume-${name}`}>
          {t('integrations.resume')}
        </Button>
      )}
    </div>
  );
}

function SettingsPanel({ name, enabled, sections, onSaved }: { name: string; enabled: boolean; sections: PanelSettingsSection[]; onSaved(): void }) {
  const { t, locale } = useI18n();
  // Managers see the form as it is saved (secrets masked) but cannot change or test it.
  const readOnly = !useIsAdmin();
  const loaded = useLoad(() => api<IntegrationSettings>('GET', `/integrations/${name}/settings`), [name]);
  const [draft, setDraft] = useState<FormValue | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'warning'; text: string } | null>(null);

  useEffect(() => {
    if (loaded.data) setDraft(loaded.data.settings);
  }, [loaded.data]);

  if (loaded.loading && !loaded.data) return <Loading />;
  if (!loaded.data || !draft) return <ErrorBanner error={loaded.error} onRetry={() => void loaded.reload()} />;
  const data = loaded.data;

  const absorb = (e: unknown, fixKey: 'integrations.fixErrors' | 'integrations.actionFixErrors' = 'integrations.fixErrors') => {
    if (e instanceof ApiError && e.details.length) {
      const byField: Record<string, string> = {};
      for (const d of e.details) {
        const path = d.path.replace(/^body\.settings\.?/, '').replace(/^settings\.?/, '') || '_';
        byField[path] = byField[path] ? `${byField[path]}; ${localizeMessage(d.message, locale)}` : localizeMessage(d.message, locale);
      }
      setErrors(byField);
      setNotice({ kind: 'warning', text: t(fixKey) });
      const unplaced = Object.keys(byField).filter((p) => !data.schema.properties?.[p.split(/[.[]/)[0]!]);
      if (unplaced.length) setError(e);
    } else {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') void loaded.reload();
    }
  };

  const save = async () => {
    setErrors({});
    setError(null);
    setNotice(null);
    try {
      const saved = await api<IntegrationSettings>('PUT', `/integrations/${name}/settings`, { version: data.version, enabled, settings: draft });
      loaded.setData(saved);
      setNotice({ kind: 'success', text: t('integrations.savedNow') });
      onSaved();
    } catch (e) {
      absorb(e);
    }
  };

  const test = async () => {
    setError(null);
    setNotice(null);
    try {
      const result = await api<{ ok: boolean; message: string }>('POST', `/integrations/${name}/test-connection`, { settings: draft });
      setNotice(
        result.ok
          ? { kind: 'success', text: t('integrations.testOk', { message: result.message }) }
          : { kind: 'warning', text: t('integrations.testFailed', { message: result.message }) },
      );
    } catch (e) {
      absorb(e);
    }
  };

  // A button that filled fields from the live system: its values go into the form, unsaved.
  const filled = (answer: SettingsActionAnswer) => {
    setErrors({});
    setError(null);
    if (answer.ok) setDraft({ ...draft, ...answer.values });
    setNotice(answer.ok ? { kind: 'success', text: answer.message } : { kind: 'warning', text: t('integrations.actionFailed', { message: answer.message }) });
  };

  return (
    <ActionForm className="accordion-body" onSubmit={save} disabled={readOnly} testId={`settings-${name}`}>
      {(pending) => (
        <>
          <SchemaForm
            schema={data.schema}
            value={draft}
            onChange={(next) => {
              setDraft(next);
              setNotice(null);
            }}
            errors={errors}
            secrets={data.secrets}
            t={t}
            locale={locale}
            idPrefix={name}
            disabled={readOnly}
            integration={name}
            sections={sections}
            optionsKey={data.version}
          />
          {readOnly ? (
            <Notice kind="info">
              <span data-testid={`admin-only-${name}`}>{t('integrations.adminOnly')}</span>
            </Notice>
          ) : (
            <div className="form-actions">
              <Button type="submit" variant="primary" pending={pending} pendingLabel={t('common.saving')} data-testid={`save-${name}`}>
                {t('common.save')}
              </Button>
              {data.capabilities.testConnection && (
                <Button onClick={test} pendingLabel={t('integrations.testing')} data-testid={`test-${name}`}>
                  {t('integrations.test')}
                </Button>
              )}
              <SettingsActions
                integration={name}
                actions={data.capabilities.actions ?? []}
                draft={draft}
                onAnswer={filled}
                onFailed={(e) => {
                  setNotice(null);
                  absorb(e, 'integrations.actionFixErrors');
                }}
              />
            </div>
          )}
          {notice && (
            <Notice kind={notice.kind}>
              <span data-testid={`notice-${name}`}>{notice.text}</span>
            </Notice>
          )}
          {error ? <div className="alert alert-error">{describeError(error, t, locale)}</div> : null}
        </>
      )}
    </ActionForm>
  );
}
