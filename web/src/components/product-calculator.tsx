import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { formatMoney } from '../format';
import { useI18n } from '../i18n';
import type { Locale, Translate } from '../i18n';
import { localizeMessage } from '../server-messages';
import type { CalculatorParameter, ParameterValue, ProductCalculator, Quote } from '../types';
import { Card, describeError, ErrorBanner, Field, Loading, useLoad } from './ui';

/**
 * «Калькулятор»: the product priced as a client would see it, by whichever calculator its category
 * uses (the shop's tiers, or another system's). The price follows every change of the options.
 */
export function ProductCalculatorPreview({ productId }: { productId: number }) {
  const { t } = useI18n();
  const form = useLoad(() => api<ProductCalculator>('GET', `/products/${productId}/calculator`), [productId]);
  return (
    <div data-testid="calculator-preview">
      <Card title={t('calc.title')}>
        {form.loading && !form.data ? (
          <Loading />
        ) : form.data ? (
          <CalculatorForm productId={productId} calculator={form.data} />
        ) : (
          <QuoteProblem error={form.error} onRetry={() => void form.reload()} />
        )}
      </Card>
    </div>
  );
}

function initialValues(parameters: readonly CalculatorParameter[]): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const p of parameters) if (p.default !== undefined) values[p.key] = p.default;
  return values;
}

function CalculatorForm({ productId, calculator }: { productId: number; calculator: ProductCalculator }) {
  const { t, locale } = useI18n();
  const { quantity: limits } = calculator;
  const [quantity, setQuantity] = useState(String(limits.presets?.[0] ?? limits.min ?? 1));
  const [values, setValues] = useState(() => initialValues(calculator.parameters));
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  // Priced again a moment after the last change; an older answer never replaces a newer one.
  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      const body = { quantity: /^\d+$/.test(quantity.trim()) ? Number(quantity.trim()) : quantity, parameters: values };
      api<Quote>('POST', `/products/${productId}/quote`, body).then(
        (answer) => {
          if (mine !== generation.current) return;
          setQuote(answer);
          setError(null);
        },
        (e: unknown) => {
          if (mine !== generation.current) return;
          setQuote(null);
          setError(e);
        },
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [productId, quantity, values]);

  const problems = parameterProblems(error, locale);
  return (
    <div className="form form-stacked calculator-form">
      <Field label={t('calc.quantity')} htmlFor="calc-quantity" error={problems.quantity}>
        <input id="calc-quantity" className="input-short" inputMode="numeric" list="calc-presets" value={quantity} onChange={(e) => setQuantity(e.target.value)} data-testid="calc-quantity" />
        {limits.presets?.length ? (
          <datalist id="calc-presets">
            {limits.presets.map((q) => (
              <option key={q} value={q} />
            ))}
          </datalist>
        ) : null}
      </Field>
      {calculator.parameters.map((parameter) => (
        <ParameterInput key={parameter.key} parameter={parameter} value={values[parameter.key]} error={problems[`parameters.${parameter.key}`]} onChange={(v) => setValues({ ...values, [parameter.key]: v })} />
      ))}
      {quote ? <QuoteView quote={quote} /> : error ? <QuoteProblem error={error} inline={Object.keys(problems).length > 0} /> : <Loading />}
    </div>
  );
}

/** A select for a parameter with options, a checkbox for a yes/no one, an input otherwise. */
function ParameterInput({ parameter, value, error, onChange }: { parameter: CalculatorParameter; value: ParameterValue | undefined; error?: string | undefined; onChange(value: ParameterValue): void }) {
  const { t } = useI18n();
  const id = `calc-${parameter.key.replace(/[^\w-]/g, '_')}`;
  const label = `${parameter.label}${parameter.unit ? `, ${parameter.unit}` : ''}:`;
  if (parameter.type === 'boolean') {
    return (
      <div className="field field-check">
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {parameter.label}
        </label>
        {error && <div className="field-error">{error}</div>}
      </div>
    );
  }
  const numeric = parameter.type === 'number' || parameter.type === 'integer';
  return (
    <Field label={label} htmlFor={id} error={error}>
      {parameter.options ? (
        <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value)}>
          {(value === undefined || !parameter.required) && <option value="">{t('calc.notChosen')}</option>}
          {parameter.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={parameter.type === 'date' ? 'date' : numeric ? 'number' : 'text'}
          className={numeric ? 'input-short' : undefined}
          min={parameter.min}
          max={parameter.max}
          step={parameter.step ?? (parameter.type === 'integer' ? 1 : numeric ? 'any' : undefined)}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => onChange(numeric && e.target.value.trim() !== '' && Number.isFinite(Number(e.target.value)) ? Number(e.target.value) : e.target.value)}
        />
      )}
    </Field>
  );
}

function QuoteView({ quote }: { quote: Quote }) {
  const { t, locale } = useI18n();
  return (
    <div className="quote-view" data-testid="calc-quote">
      <div className="quote-total">
        {t('calc.total')} <strong data-testid="calc-total">{formatMoney(quote.total, locale, quote.currency)}</strong>{' '}
        <span className="muted small">{t('calc.unit', { price: formatMoney(quote.unitPrice, locale, quote.currency) })}</span>
      </div>
      {quote.breakdown.length > 0 && (
        <table className="table table-compact">
          <tbody>
            {quote.breakdown.map((line, i) => (
              <tr key={i}>
                <td>{line.name}</td>
                <td className="num">{formatMoney(line.amount, locale, quote.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {quote.warnings.map((warning, i) => (
        <div key={i} className="alert alert-warning">
          {warning}
        </div>
      ))}
      <div className="muted small">
        {t(quote.source.cached ? 'calc.cached' : 'calc.fresh')}
        {quote.source.productionDays !== undefined ? ` · ${t('calc.days', { days: quote.source.productionDays })}` : ''}
      </div>
    </div>
  );
}

/** Why there is no price: the other system is down or refused (its own words), or the usual text. */
function QuoteProblem({ error, inline, onRetry }: { error: unknown; inline?: boolean; onRetry?: () => void }) {
  const { t, locale } = useI18n();
  if (error instanceof ApiError && (error.status === 502 || error.status === 503 || error.status === 409 || error.status === 422)) {
    return (
      <div className="alert alert-error" role="alert" data-testid="calc-error">
        {quoteProblemText(error, t, locale)}
      </div>
    );
  }
  return (
    <div data-testid="calc-error">
      <ErrorBanner error={error} inline={inline} onRetry={onRetry} />
    </div>
  );
}

function quoteProblemText(error: ApiError, t: Translate, locale: Locale): string {
  if (error.details.length) return describeError(error, t, locale);
  return t('calc.unavailable', { message: localizeMessage(error.message, locale) });
}

/** `body.parameters.<key>` and `body.quantity` → the input that shows the complaint. */
function parameterProblems(error: unknown, locale: Locale): Record<string, string> {
  const result: Record<string, string> = {};
  if (!(error instanceof ApiError)) return result;
  for (const d of error.details) {
    const path = d.path.replace(/^body\./, '');
    if (path === 'quantity' || path.startsWith('parameters.')) result[path] = localizeMessage(d.message, locale);
  }
  return result;
}
