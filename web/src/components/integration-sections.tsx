import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import type { Locale } from '../i18n';
import { actionPath, detailsPath, entitySections, linkOf, loadIntegrationsView } from '../integrations';
import type { EntitySection } from '../integrations';
import { localizeMessage } from '../server-messages';
import type { CardDetailsAnswer, CardEntityType, ExternalIds, PanelAction, PanelCardDetails, PanelExternalIdField, SystemSyncState } from '../types';
import { externalId, externalIdsPatch } from './external-ids';
import { ActionForm, Badge, Button, Card, describeError, Dl, ErrorBanner, Loading, Notice, useLoad } from './ui';

/** The record a card shows: what the sections need of it. */
export interface SectionEntity {
  id: number;
  version: number;
  externalIds: ExternalIds;
}

const PATHS: Record<CardEntityType, string> = { order: 'orders', person: 'persons', organization: 'organizations' };

/** How long, and how often, a card asks for the outcome of work a button queued. */
const WATCH_MS = 30_000;
const WATCH_INTERVAL_MS = 1_000;

/**
 * «Внешние системы» on the card of an order, a person or an organization: one block per
 * integration that describes a section for this kind of record (and is on, or configured, or
 * already holds ids of it) — its title, where the record stands with it (the sync log, «Отправить
 * повторно»), the record's ids there (a link opens the object in the other system; editable ids
 * are saved with Enter or «Сохранить»), and its buttons. Nothing here knows an integration by name.
 */
export function IntegrationSections<T extends SectionEntity>({
  entityType,
  entity,
  editable,
  onSaved,
  onChanged,
}: {
  entityType: CardEntityType;
  entity: T;
  /** Staff may change the ids marked editable (clients); an order's ids are only shown. */
  editable?: boolean;
  /** The record as the server stored it after its ids were changed. */
  onSaved?(updated: T): void;
  /** Something changed the record elsewhere (a button ran, a stale version): load it again. */
  onChanged(): void;
}) {
  const { t } = useI18n();
  const path = `/${PATHS[entityType]}/${entity.id}`;
  const view = useLoad(loadIntegrationsView, []);
  const sync = useLoad(async () => {
    try {
      return (await api<{ systems: SystemSyncState[] }>('GET', `${path}/sync`)).systems;
    } catch (e) {
      // A server without the sync log: the sections still show the ids.
      if (e instanceof ApiError && e.status === 404 && e.message.includes('not a known route')) return null;
      throw e;
    }
    // Again when the record changed or another system gave it an id (the card follows the record).
  }, [path, entity.version, JSON.stringify(entity.externalIds)]);

  const sections = view.data ? entitySections(view.data, entityType, entity.externalIds, sync.data ?? null) : [];
  const refresh = () => {
    void sync.reload();
    onChanged();
  };

  // A button or «Отправить повторно» queued work for a system: the card follows it until the
  // system's next attempt is logged, then shows its outcome and the ids it brought (no reload needed).
  const [watching, setWatching] = useState<{ system: string; since: number | null } | null>(null);
  const latestOnChanged = useRef(onChanged);
  latestOnChanged.current = onChanged;
  const watch = (system: string) => setWatching({ system, since: sync.data?.find((s) => s.system === system)?.lastEntryId ?? null });
  const { reload: reloadSync } = sync;
  useEffect(() => {
    if (!watching) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > WATCH_MS) setWatching(null);
      else void reloadSync();
    }, WATCH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [watching, reloadSync]);
  useEffect(() => {
    if (!watching || !sync.data) return;
    const state = sync.data.find((s) => s.system === watching.system);
    if (!state || state.lastEntryId === watching.since) return;
    setWatching(null);
    latestOnChanged.current();
  }, [sync.data, watching]);

  return (
    <Card title={t('ext.title')} className="ext-card">
      {view.loading && !view.data ? (
        <Loading />
      ) : view.error ? (
        <ErrorBanner error={view.error} onRetry={() => void view.reload()} />
      ) : (
        <>
          {sync.error ? <ErrorBanner error={sync.error} onRetry={() => void sync.reload()} /> : null}
          {sync.data === null && <p className="muted small">{t('ext.syncUnavailable')}</p>}
          {sections.length === 0 ? (
            <p className="muted small" data-testid="ext-none">
              {t('ext.none')}
            </p>
          ) : (
            sections.map((section) => (
              <SystemSection
                key={section.system}
                section={section}
                entity={entity}
                path={path}
                editable={Boolean(editable)}
                onSaved={onSaved}
                onResent={() => {
                  void sync.reload();
                  watch(section.system);
                }}
                onChanged={refresh}
                onQueued={() => watch(section.system)}
              />
            ))
          )}
        </>
      )}
    </Card>
  );
}

function syncTone(state: SystemSyncState['state']) {
  return state === 'ok' ? 'success' : state === 'error' ? 'danger' : 'neutral';
}

function SystemSection<T extends SectionEntity>({
  section,
  entity,
  path,
  editable,
  onSaved,
  onResent,
  onChanged,
  onQueued,
}: {
  section: EntitySection;
  entity: T;
  path: string;
  editable: boolean;
  onSaved: ((updated: T) => void) | undefined;
  onResent(): void;
  onChanged(): void;
  /** A button ran: its work may be queued, the card follows the system's next attempt. */
  onQueued(): void;
}) {
  const { t, locale } = useI18n();
  const { system, sync } = section;
  const title = section.title?.[locale] ?? system;
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const editing = editable && onSaved ? section.fields.filter((f) => f.editable) : [];
  const readOnly = section.fields.filter((f) => !editing.includes(f));
  const linked = readOnly.filter((f) => externalId(entity.externalIds, system, f.kind));
  // Ids it has are shown; with none at all, the ids it would have say «—» (no deal yet).
  const shown = linked.length || editing.length ? linked : readOnly;
  const shownValues = new Set(section.fields.map((f) => externalId(entity.externalIds, system, f.kind)).filter(Boolean));
  const actions = section.actions.filter((a) => !a.whenUnlinked || !externalId(entity.externalIds, system, a.whenUnlinked));
  const canResend = Boolean(sync?.canResend && section.enabled);

  const resend = async () => {
    setNotice(null);
    setError(null);
    try {
      const result = await api<{ collapsed?: boolean }>('POST', `${path}/sync/${encodeURIComponent(system)}/resend`);
      // A send of this record already waits: it will take its current state.
      setNotice(t(result?.collapsed ? 'ext.alreadyQueued' : 'ext.resent'));
      onResent();
    } catch (e) {
      setError(describeError(e, t, locale));
    }
  };

  return (
    <div className="sync-system" data-testid={`sync-${system}`}>
      <div className="sync-head">
        <strong>{title}</strong>
        <span className="sync-badges">
          {!section.enabled && section.title && <Badge>{t('ext.off')}</Badge>}
          {sync && (
            <Badge tone={syncTone(sync.state)}>
              <span data-testid={`sync-state-${system}`}>
                {/* Never sent from here, yet known there (linked by hand, by a lead's conversion, by the other side). */}
                {sync.state === 'never' && Object.keys(entity.externalIds[system] ?? {}).length > 0 ? t('sync.linked') : t(`sync.${sync.state}` as 'sync.ok')}
              </span>
            </Badge>
          )}
        </span>
      </div>
      <Dl
        rows={[
          ...shown.map((field): [string, ReactNode] => [field.label[locale], <ExternalIdValue system={system} field={field} value={externalId(entity.externalIds, system, field.kind)} title={title} />]),
          sync?.externalId && !shownValues.has(sync.externalId) ? [t('ext.externalId'), sync.externalId] : null,
          sync?.lastAttemptAt ? [t('ext.lastAttempt'), formatDateTime(sync.lastAttemptAt, locale)] : null,
          sync?.state === 'error' && sync.lastSuccessAt ? [t('ext.lastSuccess'), formatDateTime(sync.lastSuccessAt, locale)] : null,
          sync?.lastError ? [t('ext.error'), <span className="text-danger">{sync.lastError}</span>] : null,
        ]}
      />
      {section.details.map((details) => (
        <DetailsBlock key={details.id} system={system} details={details} entityId={entity.id} version={entity.version} lastAttempt={sync?.lastEntryId ?? null} />
      ))}
      {editing.length > 0 && onSaved && (
        <ExternalIdsEditor
          system={system}
          title={title}
          fields={editing}
          entity={entity}
          path={path}
          onSaved={(updated) => {
            // What a button said before is no longer the news.
            setNotice(null);
            setError(null);
            onSaved(updated);
          }}
          onConflict={onChanged}
        />
      )}
      {(actions.length > 0 || canResend) && (
        <div className="ext-actions">
          {actions.map((action) => (
            <ActionButton
              key={action.id}
              system={system}
              action={action}
              entityId={entity.id}
              onDone={(message) => {
                setError(null);
                setNotice(message);
                onChanged();
                onQueued();
              }}
              onFailed={(message) => {
                setNotice(null);
                setError(message);
              }}
            />
          ))}
          {canResend && (
            <Button onClick={resend} pendingLabel={t('common.saving')} data-testid={`resend-${system}`}>
              {t('ext.resend')}
            </Button>
          )}
        </div>
      )}
      {notice && (
        <Notice>
          <span data-testid={`ext-notice-${system}`}>{notice}</span>
        </Notice>
      )}
      {error && (
        <div className="alert alert-error" role="alert" data-testid={`ext-error-${system}`}>
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * Facts the integration gives about the record (e.g. the last change the other system sent): read
 * when the card opens and again whenever the record changes.
 */
function DetailsBlock({
  system,
  details,
  entityId,
  version,
  lastAttempt,
}: {
  system: string;
  details: PanelCardDetails;
  entityId: number;
  version: number;
  /** The system's newest sync attempt for the record: a send that changed nothing else changed this. */
  lastAttempt: number | null;
}) {
  const { locale } = useI18n();
  const answer = useLoad(() => api<CardDetailsAnswer>('GET', detailsPath(system, details.route, entityId)), [system, details.route, entityId, version, lastAttempt]);
  const testId = `details-${system}-${details.id}`;
  return (
    <div className="ext-details" data-testid={testId}>
      <div className="muted small ext-details-title">{details.title[locale]}</div>
      {answer.loading && !answer.data ? (
        <Loading />
      ) : answer.error ? (
        <ErrorBanner error={answer.error} inline onRetry={() => void answer.reload()} />
      ) : answer.data && answer.data.rows.length > 0 ? (
        <Dl rows={answer.data.rows.map((row): [string, ReactNode] => [row.label, <span data-testid={`${testId}-row`}>{detailsValue(row, locale)}</span>])} />
      ) : (
        <p className="muted small" data-testid={`${testId}-empty`}>
          {answer.data?.empty ?? '—'}
        </p>
      )}
    </div>
  );
}

/**
 * A details row's value: a time alone (`value` is that time, or empty) is formatted; a value with
 * a time (an order sent to another system, and when) shows both.
 */
function detailsValue(row: CardDetailsAnswer['rows'][number], locale: Locale): ReactNode {
  if (!row.at) return row.value;
  const time = formatDateTime(row.at, locale);
  if (!row.value || row.value === row.at) return time;
  return (
    <>
      {row.value} <span className="muted small">· {time}</span>
    </>
  );
}

/** The id as stored, opening the object in the other system when the integration gives a link. */
function ExternalIdValue({ system, field, value, title }: { system: string; field: PanelExternalIdField; value: string; title: string }) {
  const { t } = useI18n();
  const shown = <span data-testid={`external-id-shown-${system}-${field.kind}`}>{value || '—'}</span>;
  const href = linkOf(field, value);
  if (!href) return shown;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" title={t('ext.open', { system: title })} className="ext-link" data-testid={`external-id-link-${system}-${field.kind}`}>
      {shown}
      <span aria-hidden className="ext-link-icon">
        ↗
      </span>
    </a>
  );
}

/**
 * The ids staff may type (an admin fixes a client's wrong id in the CRM): one form per system,
 * saved with Enter or «Сохранить» (once, however often pressed); an id another record already
 * holds is named on its field.
 */
function ExternalIdsEditor<T extends SectionEntity>({
  system,
  title,
  fields,
  entity,
  path,
  onSaved,
  onConflict,
}: {
  system: string;
  title: string;
  fields: PanelExternalIdField[];
  entity: T;
  path: string;
  onSaved(updated: T): void;
  onConflict(): void;
}) {
  const { t, locale } = useI18n();
  const stored = () => Object.fromEntries(fields.map((f) => [f.kind, externalId(entity.externalIds, system, f.kind)]));
  const [draft, setDraft] = useState<Record<string, string>>(stored);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const previous = useRef(stored());

  // The record changed (saved here, or elsewhere on the page): take the new ids, keep what is being typed.
  const storedKey = JSON.stringify(stored());
  useEffect(() => {
    const fresh = stored();
    const before = previous.current;
    previous.current = fresh;
    setDraft((current) => Object.fromEntries(Object.entries(fresh).map(([kind, value]) => [kind, current[kind] === before[kind] ? value : (current[kind] ?? value)])));
  }, [storedKey]);

  const errors: Record<string, string> = {};
  if (error instanceof ApiError) {
    for (const d of error.details) {
      const kind = d.path.replace(/^body\./, '').match(/^externalIds\.([^.]+)\.([^.]+)$/);
      if (kind && kind[1] === system && fields.some((f) => f.kind === kind[2])) errors[kind[2]!] = localizeMessage(d.message, locale);
    }
  }

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      const updated = await api<T>('PATCH', path, { version: entity.version, ...externalIdsPatch(system, draft) });
      previous.current = stored();
      onSaved(updated);
      setSaved(true);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') onConflict();
    }
  };

  return (
    <ActionForm className="form form-stacked ext-ids-form" onSubmit={save} testId={`external-ids-${system}`}>
      {(pending) => (
        <>
          {fields.map((field) => {
            const id = `ext-${system}-${field.kind}`;
            const value = externalId(entity.externalIds, system, field.kind);
            const problem = errors[field.kind];
            return (
              <div className={`field${problem ? ' has-error' : ''}`} key={field.kind}>
                <label htmlFor={id}>{field.label[locale]}</label>
                <div className="field-control">
                  <input
                    id={id}
                    value={draft[field.kind] ?? ''}
                    autoComplete="off"
                    aria-invalid={problem ? true : undefined}
                    onChange={(e) => {
                      setSaved(false);
                      setDraft({ ...draft, [field.kind]: e.target.value });
                    }}
                    data-testid={`external-id-${system}-${field.kind}`}
                  />
                  {problem ? (
                    <div className="field-error">{problem}</div>
                  ) : (
                    <div className="field-hint">
                      {t('ext.current')} <ExternalIdValue system={system} field={field} value={value} title={title} />
                    </div>
                  )}
                </div>
              </div>
            );
          })}
          <div className="form-actions">
            <Button type="submit" pending={pending} pendingLabel={t('common.saving')} data-testid={`save-external-ids-${system}`}>
              {t('common.save')}
            </Button>
            {saved && <Notice>{t('common.saved')}</Notice>}
          </div>
          <ErrorBanner error={error} inline />
        </>
      )}
    </ActionForm>
  );
}

/**
 * One of the integration's buttons: POSTs its route (after «Да, выполнить» when it asks first)
 * and says what the integration answered, or «Готово».
 */
function ActionButton({ system, action, entityId, onDone, onFailed }: { system: string; action: PanelAction; entityId: number; onDone(message: string): void; onFailed(message: string): void }) {
  const { t, locale } = useI18n();
  const [asking, setAsking] = useState(false);
  const run = async () => {
    setAsking(false);
    try {
      const answer = await api<{ message?: unknown } | null>('POST', actionPath(system, action.route, entityId), {});
      onDone(answer && typeof answer.message === 'string' && answer.message ? answer.message : t('ext.done'));
    } catch (e) {
      onFailed(describeError(e, t, locale));
    }
  };
  const testId = `action-${system}-${action.id}`;
  if (asking && action.confirm) {
    return (
      <div className="ext-confirm" role="group" aria-label={action.label[locale]} data-testid={`confirm-${system}-${action.id}`}>
        <span>{action.confirm[locale]}</span>
        <div className="ext-confirm-buttons">
          <Button variant="primary" onClick={run} pendingLabel={t('ext.running')} data-testid={`${testId}-confirm`}>
            {t('ext.confirmYes')}
          </Button>
          <Button variant="link" onClick={() => setAsking(false)}>
            {t('common.cancel')}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <Button onClick={action.confirm ? () => setAsking(true) : run} pendingLabel={t('ext.running')} data-testid={testId}>
      {action.label[locale]}
    </Button>
  );
}
