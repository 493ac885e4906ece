import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { IntegrationSections } from '../components/integration-sections';
import { Badge, Button, Card, Dl, ErrorBanner, Loading, Notice, PageHeader, useAction, useLoad } from '../components/ui';
import { loadPerson, loadStatuses, personName, statusLabel, statusTone } from '../data';
import { dateTimeInput, formatDateTime, formatMoney, parseDateTimeInput } from '../format';
import { useFreshRecord } from '../hooks/use-fresh-record';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import type { Order, Organization, Person } from '../types';

export function OrderPage({ id }: { id: number }) {
  const { t, locale } = useI18n();
  const order = useLoad(() => api<Order>('GET', `/orders/${id}`), [id]);
  // A change made in another system or by a colleague shows without a reload.
  useFreshRecord(order.data, () => api<Order>('GET', `/orders/${id}`), order.setData);
  const statuses = useLoad(loadStatuses, []);
  const [client, setClient] = useState<{ person: Person | null; organization: Organization | null }>({ person: null, organization: null });

  useEffect(() => {
    const o = order.data;
    if (!o) return;
    void Promise.all([
      o.personId ? loadPerson(o.personId) : null,
      o.organizationId ? api<Organization>('GET', `/organizations/${o.organizationId}`).catch(() => null) : null,
    ]).then(([person, organization]) => setClient({ person, organization }));
  }, [order.data]);

  if (order.loading && !order.data) return <Loading />;
  if (!order.data) return <ErrorBanner error={order.error} onRetry={() => void order.reload()} />;
  const o = order.data;
  const money = (minor: number) => formatMoney(minor, locale, o.currency);

  return (
    <div className="page">
      <PageHeader
        crumbs={
          <>
            {/* The orders, then those in this order's status (as «Заказы» groups them). */}
            <Link to="/orders">{t('nav.orders')}</Link> / <Link to={`/orders?status=${encodeURIComponent(o.status)}`}>{statusLabel(statuses.data, o.status, locale)}</Link>
          </>
        }
        title={
          <>
            {t('order.title', { number: o.number })}{' '}
            <Badge tone={statusTone(o.status)}>
              <span data-testid="order-status">{statusLabel(statuses.data, o.status, locale)}</span>
            </Badge>
          </>
        }
      />
      <ErrorBanner error={order.error} onRetry={() => void order.reload()} />
      <div className="order-grid">
        <div className="order-main">
          <Card title={t('order.main')}>
            <div className="two-col">
              <Dl
                rows={[
                  [t('order.statusLabel'), statusLabel(statuses.data, o.status, locale)],
                  [t('order.paymentStatus'), t(`payment.${o.payment.status}` as 'payment.paid')],
                  [t('order.source'), t(`source.${o.source}` as 'source.site')],
                  [t('order.site'), o.site],
                ]}
              />
              <Dl
                rows={[
                  [t('order.created'), formatDateTime(o.createdAt, locale)],
                  [
                    t('order.client'),
                    o.personId ? <Link to={`/clients/persons/${o.personId}`}>{personName(client.person, `#${o.personId}`)}</Link> : null,
                  ],
                  client.person && [t('person.phones'), client.person.phones.map((p) => p.e164).join(', ') || null],
                  client.person && [t('person.emails'), client.person.emails.join(', ') || null],
                  o.organizationId && [
                    t('order.organization'),
                    <Link to={`/clients/organizations/${o.organizationId}`}>{client.organization?.title ?? `#${o.organizationId}`}</Link>,
                  ],
                  [t('order.manager'), o.manager ?? t('common.notSet')],
                  [t('order.readyAt'), <ReadyAt order={o} onSaved={order.reload} />],
                ]}
              />
            </div>
            {o.comment && <div className="quote">{o.comment}</div>}
          </Card>

          <Card title={t('order.items')}>
            <table className="table table-compact" data-testid="order-items">
              <thead>
                <tr>
                  <th>{t('order.product')}</th>
                  <th className="num">{t('order.unitPrice')}</th>
                  <th className="num">{t('order.qty')}</th>
                  <th className="num">{t('order.sum')}</th>
                </tr>
              </thead>
              <tbody>
                {o.items.map((item) => (
                  <tr key={item.id}>
                    <td>
                      <div>{item.name}</div>
                      {Object.keys(item.parameters).length > 0 && (
                        <div className="muted small">
                          {Object.entries(item.parameters)
                            .map(([k, v]) => `${k}: ${String(v)}`)
                            .join(' · ')}
                        </div>
                      )}
                    </td>
                    <td className="num nowrap">{money(item.unitPrice)}</td>
                    <td className="num nowrap">
                      {item.quantity} {t('common.pcs')}
                    </td>
                    <td className="num nowrap">{money(item.total)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={3}>{t('order.subtotal')}</td>
                  <td className="num nowrap">{money(o.totals.items)}</td>
                </tr>
                {o.totals.discount > 0 && (
                  <tr>
                    <td colSpan={3}>{t('order.discount')}</td>
                    <td className="num nowrap">−{money(o.totals.discount)}</td>
                  </tr>
                )}
                <tr>
                  <td colSpan={3}>{t('order.deliveryPrice')}</td>
                  <td className="num nowrap">{money(o.totals.delivery)}</td>
                </tr>
                <tr className="total-row">
                  <td colSpan={3}>{t('order.grandTotal')}</td>
                  <td className="num nowrap" data-testid="order-total">
                    {money(o.totals.total)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </Card>

          <div className="two-col">
            <Card title={t('order.delivery')}>
              {o.delivery ? (
                <Dl
                  rows={[
                    [t('order.deliveryMethod'), o.delivery.method],
                    [t('order.deliveryAddress'), o.delivery.address],
                    [t('order.recipient'), o.delivery.recipient],
                    [t('order.deliveryPrice'), money(o.delivery.price)],
                  ]}
                />
              ) : (
                <p className="muted">{t('order.noDelivery')}</p>
              )}
            </Card>
            <Card title={t('order.paymentCard')}>
              <Dl
                rows={[
                  [t('order.paymentStatus'), t(`payment.${o.payment.status}` as 'payment.paid')],
                  [t('order.paymentMethod'), o.payment.method ?? t('common.notSet')],
                  [t('order.grandTotal'), money(o.totals.total)],
                ]}
              />
            </Card>
          </div>

          <Discussion order={o} onAdded={() => void order.reload()} />

          <Card title={t('order.history')}>
            {o.statusHistory.length === 0 ? (
              <p className="muted">{t('order.historyEmpty')}</p>
            ) : (
              <table className="table table-compact">
                <tbody>
                  {[...o.statusHistory].reverse().map((h, i) => (
                    <tr key={i}>
                      <td className="nowrap">{formatDateTime(h.changedAt, locale)}</td>
                      <td>
                        {h.from ? `${statusLabel(statuses.data, h.from, locale)} → ` : ''}
                        <strong>{statusLabel(statuses.data, h.to, locale)}</strong>
                      </td>
                      <td className="muted">
                        {h.changedBy ?? ''}
                        {h.origin?.kind === 'integration' && (
                          <span className="origin-mark" title={t('order.byIntegration')} data-testid="origin-integration">
                            {' '}
                            <Badge tone="info">{t('order.integrationMark')}</Badge>
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </div>

        <div className="order-side">
          <StatusCard order={o} onChanged={order.setData} onConflict={() => void order.reload()} />
          <Card title={t('order.renderTitle')}>
            <Dl
              rows={[
                [
                  t('order.render'),
                  <Badge tone={o.render.status === 'ready' ? 'success' : o.render.status === 'failed' ? 'danger' : 'neutral'}>
                    <span data-testid="render-status">{t(`render.${o.render.status}` as 'render.ready')}</span>
                  </Badge>,
                ],
              ]}
            />
            {o.render.archiveUrl ? (
              <a className="btn btn-primary btn-block" href={o.render.archiveUrl} target="_blank" rel="noreferrer" data-testid="archive-link">
                {t('order.archive')}
              </a>
            ) : (
              <p className="muted small">{t('order.noArchive')}</p>
            )}
          </Card>
          <IntegrationSections entityType="order" entity={o} onChanged={() => void order.reload()} />
        </div>
      </div>
    </div>
  );
}

function StatusCard({ order, onChanged, onConflict }: { order: Order; onChanged(o: Order): void; onConflict(): void }) {
  const { t, locale } = useI18n();
  const { session } = useSession();
  const statuses = useLoad(loadStatuses, []);
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const choices = (statuses.data ?? []).filter((s) => s.settable && s.code !== order.status);

  const change = async () => {
    setError(null);
    setDone(null);
    try {
      const updated = await api<Order>('POST', `/orders/${order.id}/status`, { status: next, changedBy: session.user.displayName, version: order.version });
      onChanged(updated);
      setDone(t('order.statusChanged', { status: statusLabel(statuses.data, updated.status, locale) }));
      setNext('');
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') onConflict();
    }
  };

  return (
    <Card title={t('order.actions')}>
      <label className="stack-label" htmlFor="next-status">
        {t('order.changeStatusTo')}
      </label>
      <select id="next-status" value={next} onChange={(e) => setNext(e.target.value)} data-testid="next-status">
        <option value="">—</option>
        {choices.map((s) => (
          <option key={s.code} value={s.code}>
            {statusLabel(statuses.data, order.status, locale)} → {s[locale]}
          </option>
        ))}
      </select>
      <Button variant="primary" className="btn btn-primary btn-block" disabled={!next} onClick={change} pendingLabel={t('common.saving')} data-testid="change-status">
        {t('order.changeStatus')}
      </Button>
      {done && <Notice>{done}</Notice>}
      <ErrorBanner error={error} />
    </Card>
  );
}

function Discussion({ order, onAdded }: { order: Order; onAdded(): void }) {
  const { t, locale } = useI18n();
  const { session } = useSession();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);

  const add = async () => {
    setError(null);
    try {
      await api('POST', `/orders/${order.id}/comments`, { author: session.user.displayName, text: text.trim() });
      setText('');
      onAdded();
    } catch (e) {
      setError(e);
    }
  };

  const adding = useAction(add);

  return (
    <Card title={`${t('order.discussion')} (${order.comments.length})`}>
      {order.comments.length === 0 ? (
        <p className="muted">{t('order.noComments')}</p>
      ) : (
        <ul className="feed" data-testid="comments">
          {order.comments.map((c) => (
            <li key={c.id}>
              <div className="feed-meta">
                <strong>{c.author}</strong> <span className="muted small">{formatDateTime(c.createdAt, locale)}</span>
              </div>
              <div className="feed-text">{c.text}</div>
            </li>
          ))}
        </ul>
      )}
      <div className="feed-form">
        <label className="stack-label" htmlFor="comment">
          {t('order.addComment')}
        </label>
        <textarea
          id="comment"
          rows={3}
          value={text}
          placeholder={t('order.commentPlaceholder')}
          aria-describedby="comment-hint"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            // Enter is a new line in a comment; Ctrl+Enter (⌘+Enter) saves it.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) {
              e.preventDefault();
              void adding.run();
            }
          }}
          data-testid="comment-text"
        />
        <div id="comment-hint" className="field-hint">
          {t('order.commentHint')}
        </div>
        <ErrorBanner error={error} />
        <Button variant="primary" disabled={!text.trim()} onClick={adding.run} pending={adding.pending} pendingLabel={t('common.saving')} data-testid="add-comment">
          {t('order.saveComment')}
        </Button>
      </div>
    </Card>
  );
}

/** «Дата выдачи: … (редактировать)»: when the order is to be ready for the client, changed in place. */
function ReadyAt({ order, onSaved }: { order: Order; onSaved: () => unknown }) {
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const save = (readyAt: string | null) => async () => {
    try {
      await api<Order>('PATCH', `/orders/${order.id}`, { version: order.version, readyAt });
      setEditing(false);
      setError(null);
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };
  const typed = parseDateTimeInput(value);
  const saving = useAction(async () => {
    if (typed !== 'invalid') await save(typed)();
  });
  const clearing = useAction(save(null));
  if (!editing) {
    return (
      <span data-testid="order-ready-at">
        {order.readyAt ? formatDateTime(order.readyAt, locale) : t('common.notSet')}{' '}
        <button
          type="button"
          className="btn btn-link"
          onClick={() => {
            setValue(order.readyAt ? dateTimeInput(order.readyAt) : '');
            setEditing(true);
          }}
          data-testid="order-ready-at-edit"
        >
          ({t('order.readyAtEdit')})
        </button>
      </span>
    );
  }
  return (
    <span className="inline-edit">
      <input type="datetime-local" aria-label={t('order.readyAt')} value={value} onChange={(e) => setValue(e.target.value)} data-testid="order-ready-at-input" />
      <Button variant="primary" disabled={!value || typed === 'invalid'} onClick={saving.run} pending={saving.pending} pendingLabel={t('common.saving')} data-testid="order-ready-at-save">
        {t('common.save')}
      </Button>
      {order.readyAt && (
        <Button onClick={clearing.run} pending={clearing.pending} pendingLabel={t('common.saving')}>
          {t('order.readyAtClear')}
        </Button>
      )}
      <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
      {typed === 'invalid' && (
        <span className="field-error" role="alert" data-testid="order-ready-at-invalid">
          {t('order.badReadyAt')}
        </span>
      )}
      {error !== null && <ErrorBanner error={error} />}
    </span>
  );
}
