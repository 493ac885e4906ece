import { useEffect, useRef, useState } from 'react';
import { api, ApiError, query } from '../api';
import { ClientPicker, SearchPicker } from '../components/client-picker';
import type { PickerChoice } from '../components/client-picker';
import { CalculatorFields, QuoteProblem } from '../components/product-calculator';
import { Button, Card, ErrorBanner, Field, PageHeader, Toggle } from '../components/ui';
import { personName } from '../data';
import { formatMoney, parseDateTimeInput, parseRubles } from '../format';
import { useI18n } from '../i18n';
import { useProductQuote } from '../hooks/use-product-quote';
import type { QuoteChoice } from '../hooks/use-product-quote';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Order, Page, Person, Product, Quote } from '../types';

interface Line {
  key: number;
  productId: number | null;
}

/** What a line with a product reports up: its current choice and its price. */
interface LineState {
  productId: number;
  choice: QuoteChoice;
  quote: Quote | null;
}

const searchProducts = (text: string): Promise<PickerChoice[]> =>
  api<Page<Product>>('GET', `/products${query({ search: text, limit: 8 })}`).then((page) => page.items.map((p) => ({ id: p.id, title: p.name, details: p.sku ?? '' })));

const productTitle = (id: number): Promise<string> =>
  api<Product>('GET', `/products/${id}`).then(
    (p) => p.name,
    () => `#${id}`,
  );

/**
 * «Новый заказ»: a manager picks the client (a person, or an organization and its employee),
 * adds lines — each priced by its product's calculator as the shop's site would price it — and
 * optionally delivery and a comment. On «Создать заказ» each line is issued as a quote
 * (POST /products/{id}/quotes) and the order is created from those quotes, so its lines cost
 * exactly what was shown; the new order's card opens.
 */
export function NewOrderPage() {
  const { t, locale } = useI18n();
  const { session } = useSession();
  const [clientKind, setClientKind] = useState<'person' | 'organization'>('person');
  const [personId, setPersonId] = useState<number | null>(null);
  const [organizationId, setOrganizationId] = useState<number | null>(null);
  const [lines, setLines] = useState<Line[]>([{ key: 1, productId: null }]);
  const nextKey = useRef(2);
  const [states, setStates] = useState<Record<number, LineState>>({});
  const [lineErrors, setLineErrors] = useState<Record<number, unknown>>({});
  const [withDelivery, setWithDelivery] = useState(false);
  const [delivery, setDelivery] = useState({ method: '', address: '', recipient: '', price: '' });
  const [comment, setComment] = useState('');
  // `datetime-local`: the manager's local time, sent with its offset.
  const [readyAt, setReadyAt] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const priced = lines.filter((l) => l.productId !== null).map((l) => states[l.key]);
  const itemsTotal = priced.every((s) => s?.quote) ? priced.reduce((sum, s) => sum + s!.quote!.total, 0) : null;
  const deliveryPrice = withDelivery ? parseRubles(delivery.price || '0') : 0;
  const currency = priced[0]?.quote?.currency ?? 'RUB';
  const money = (minor: number) => formatMoney(minor, locale, currency);

  const setLineProduct = (key: number, productId: number | null) => {
    setLines((current) => current.map((l) => (l.key === key ? { ...l, productId } : l)));
    setLineErrors(({ [key]: _, ...rest }) => rest);
    if (productId === null) setStates(({ [key]: _, ...rest }) => rest);
  };
  const removeLine = (key: number) => {
    setLines((current) => current.filter((l) => l.key !== key));
    setStates(({ [key]: _, ...rest }) => rest);
    setLineErrors(({ [key]: _, ...rest }) => rest);
  };
  const addLine = () => setLines((current) => [...current, { key: nextKey.current++, productId: null }]);

  const create = async () => {
    setProblem(null);
    setError(null);
    if (personId === null) return setProblem(clientKind === 'person' ? t('newOrder.needClient') : t('newOrder.needContact'));
    const chosen = lines.filter((l) => l.productId !== null);
    if (!chosen.length) return setProblem(t('newOrder.needLine'));
    if (withDelivery && !delivery.method.trim()) return setProblem(t('newOrder.needDeliveryMethod'));
    if (deliveryPrice === null) return setProblem(t('newOrder.badDeliveryPrice'));
    const readyAtIso = parseDateTimeInput(readyAt);
    if (readyAtIso === 'invalid') return setProblem(t('newOrder.badReadyAt'));

    // Each line as an issued quote: the order is priced from them, and keeps them.
    const errors: Record<number, unknown> = {};
    const quoteIds: string[] = [];
    for (const line of chosen) {
      const state = states[line.key];
      try {
        if (!state) throw new Error(t('newOrder.notPriced'));
        const issued = await api<{ quoteId: string }>('POST', `/products/${state.productId}/quotes`, state.choice);
        quoteIds.push(issued.quoteId);
      } catch (e) {
        errors[line.key] = e;
      }
    }
    setLineErrors(errors);
    if (Object.keys(errors).length) return setProblem(t('newOrder.linesFailed'));

    try {
      const order = await api<Order>('POST', '/orders', {
        source: 'panel',
        personId,
        organizationId: clientKind === 'organization' ? organizationId : null,
        manager: session.user.displayName,
        items: quoteIds.map((quoteId) => ({ quoteId })),
        delivery: withDelivery
          ? { method: delivery.method.trim(), address: delivery.address.trim() || null, recipient: delivery.recipient.trim() || null, price: deliveryPrice ?? 0 }
          : null,
        comment: comment.trim() || null,
        readyAt: readyAtIso,
      });
      navigate(`/orders/${order.id}`);
    } catch (e) {
      // A refused line (its quote expired, say) is shown next to it.
      if (e instanceof ApiError) {
        const byLine: Record<number, unknown> = {};
        for (const d of e.details) {
          const match = /^body\.items\[(\d+)\]/.exec(d.path);
          const line = match ? chosen[Number(match[1])] : undefined;
          if (line) byLine[line.key] = new ApiError(400, 'validation_failed', d.message);
        }
        if (Object.keys(byLine).length) setLineErrors(byLine);
      }
      setError(e);
    }
  };

  return (
    <div className="page" data-testid="new-order">
      <PageHeader
        crumbs={
          <>
            <Link to="/orders">{t('nav.orders')}</Link> /
          </>
        }
        title={t('newOrder.title')}
      />
      <Card title={t('newOrder.client')}>
        <div className="radio-row">
          <label className="check">
            <input type="radio" name="client-kind" checked={clientKind === 'person'} onChange={() => (setClientKind('person'), setPersonId(null))} data-testid="client-kind-person" /> {t('newOrder.person')}
          </label>
          <label className="check">
            <input type="radio" name="client-kind" checked={clientKind === 'organization'} onChange={() => (setClientKind('organization'), setPersonId(null))} data-testid="client-kind-organization" /> {t('newOrder.organization')}
          </label>
        </div>
        {clientKind === 'person' ? (
          <Field label={t('newOrder.person')}>
            <ClientPicker value={personId} onChange={setPersonId} label={t('newOrder.person')} testId="new-order-person" />
          </Field>
        ) : (
          <div className="form">
            <Field label={t('newOrder.organization')}>
              <ClientPicker
                kind="organization"
                value={organizationId}
                onChange={(id) => (setOrganizationId(id), setPersonId(null))}
                label={t('newOrder.organization')}
                placeholder={t('newOrder.organizationPlaceholder')}
                testId="new-order-organization"
              />
            </Field>
            {organizationId !== null && <ContactPicker organizationId={organizationId} value={personId} onChange={setPersonId} />}
          </div>
        )}
      </Card>

      <Card title={t('newOrder.lines')}>
        <div className="form">
          {lines.map((line, index) => (
            <div className="card new-order-line" key={line.key} data-testid="new-order-line">
              <div className="card-body">
                <div className="form-actions">
                  <strong>{t('newOrder.lineN', { n: index + 1 })}</strong>
                  {lines.length > 1 && (
                    <button type="button" className="btn btn-link" onClick={() => removeLine(line.key)} data-testid="remove-line">
                      {t('newOrder.removeLine')}
                    </button>
                  )}
                </div>
                <Field label={t('order.product')}>
                  <SearchPicker
                    value={line.productId}
                    onChange={(id) => setLineProduct(line.key, id)}
                    search={searchProducts}
                    title={productTitle}
                    label={t('order.product')}
                    placeholder={t('newOrder.productPlaceholder')}
                    testId="line-product"
                  />
                </Field>
                {line.productId !== null && (
                  <LineCalculator
                    key={line.productId}
                    lineKey={line.key}
                    productId={line.productId}
                    onState={(state) => setStates((current) => ({ ...current, [line.key]: state }))}
                  />
                )}
                {lineErrors[line.key] ? (
                  <div data-testid="line-error">
                    <QuoteProblem error={lineErrors[line.key]} />
                  </div>
                ) : null}
              </div>
            </div>
          ))}
          <div className="form-actions">
            <Button onClick={addLine} data-testid="add-line">
              {t('newOrder.addLine')}
            </Button>
          </div>
        </div>
      </Card>

      <div className="two-col">
        <Card title={t('order.delivery')}>
          <div className="form">
            <Toggle checked={withDelivery} onChange={setWithDelivery} label={t('newOrder.withDelivery')} testId="new-order-delivery" />
            {withDelivery && (
              <>
                <Field label={t('order.deliveryMethod')} htmlFor="delivery-method">
                  <input id="delivery-method" value={delivery.method} onChange={(e) => setDelivery({ ...delivery, method: e.target.value })} placeholder={t('newOrder.deliveryMethodPlaceholder')} />
                </Field>
                <Field label={t('order.deliveryAddress')} htmlFor="delivery-address">
                  <input id="delivery-address" value={delivery.address} onChange={(e) => setDelivery({ ...delivery, address: e.target.value })} />
                </Field>
                <Field label={t('order.recipient')} htmlFor="delivery-recipient">
                  <input id="delivery-recipient" value={delivery.recipient} onChange={(e) => setDelivery({ ...delivery, recipient: e.target.value })} />
                </Field>
                <Field label={t('newOrder.deliveryPrice')} htmlFor="delivery-price" error={deliveryPrice === null ? t('newOrder.badDeliveryPrice') : undefined}>
                  <input id="delivery-price" className="input-short" inputMode="decimal" value={delivery.price} onChange={(e) => setDelivery({ ...delivery, price: e.target.value })} placeholder="0" />
                </Field>
              </>
            )}
          </div>
        </Card>
        <Card title={t('newOrder.comment')}>
          <textarea aria-label={t('newOrder.comment')} rows={5} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="new-order-comment" />
        </Card>
        <Card title={t('newOrder.readyAt')}>
          <Field label={t('newOrder.readyAtLabel')} htmlFor="ready-at">
            <input id="ready-at" type="datetime-local" value={readyAt} onChange={(e) => setReadyAt(e.target.value)} data-testid="new-order-ready-at" />
          </Field>
        </Card>
      </div>

      <Card>
        <div className="form-actions">
          <div className="quote-total">
            {t('order.grandTotal')}{' '}
            <strong data-testid="new-order-total">{itemsTotal !== null && deliveryPrice !== null ? money(itemsTotal + deliveryPrice) : '—'}</strong>
          </div>
          <Button variant="primary" onClick={create} pendingLabel={t('newOrder.creating')} data-testid="create-order">
            {t('newOrder.create')}
          </Button>
        </div>
        {problem && (
          <div className="alert alert-error" role="alert" data-testid="new-order-problem">
            {problem}
          </div>
        )}
        <ErrorBanner error={error} />
      </Card>
    </div>
  );
}

/** One line's calculator: the product's form and price, reported up as they change. */
function LineCalculator({ lineKey, productId, onState }: { lineKey: number; productId: number; onState(state: LineState): void }) {
  const calculator = useProductQuote(productId);
  const { quote, pricing } = calculator;
  const choice = calculator.choice();
  const signature = JSON.stringify([choice, pricing ? null : quote]);
  useEffect(() => {
    onState({ productId, choice, quote: pricing ? null : quote });
  }, [signature]);
  return <CalculatorFields calculator={calculator} idPrefix={`line-${lineKey}`} />;
}

/** The organization's employee who orders: its employees to choose from, or any person. */
function ContactPicker({ organizationId, value, onChange }: { organizationId: number; value: number | null; onChange(id: number | null): void }) {
  const { t } = useI18n();
  const [employees, setEmployees] = useState<Person[] | null>(null);
  useEffect(() => {
    setEmployees(null);
    api<Page<Person>>('GET', `/organizations/${organizationId}/employees?limit=100`).then(
      (page) => {
        setEmployees(page.items);
        if (page.items[0]) onChange(page.items[0].id);
      },
      () => setEmployees([]),
    );
  }, [organizationId]);
  if (employees === null) return null;
  return (
    <Field label={t('newOrder.contact')} htmlFor="new-order-contact" hint={employees.length ? undefined : t('newOrder.noEmployees')}>
      {employees.length ? (
        <select id="new-order-contact" value={value ?? ''} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)} data-testid="new-order-contact">
          {employees.map((p) => (
            <option key={p.id} value={p.id}>
              {personName(p, `#${p.id}`)}
            </option>
          ))}
        </select>
      ) : (
        <ClientPicker value={value} onChange={onChange} label={t('newOrder.contact')} testId="new-order-contact" />
      )}
    </Field>
  );
}
