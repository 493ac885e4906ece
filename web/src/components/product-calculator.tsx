import { ApiError } from '../api';
import { formatMoney } from '../format';
import { useI18n } from '../i18n';
import type { Locale, Translate } from '../i18n';
import { localizeMessage } from '../server-messages';
import { useProductQuote } from '../hooks/use-product-quote';
import type { ProductQuote } from '../hooks/use-product-quote';
import type { CalculatorParameter, ParameterValue, Quote } from '../types';
import { Card, describeError, ErrorBanner, Field, Loading } from './ui';

/**
 * «Калькулятор»: the product priced as a client would see it, by whichever calculator its category
 * uses (the shop's tiers, or another system's). The price follows every change of the options.
 */
export function ProductCalculatorPreview({ productId }: { productId: number }) {
  const { t } = useI18n();
  const calculator = useProductQuote(productId);
  return (
    <div data-testid="calculator-preview">
      <Card title={t('calc.title')}>
        <CalculatorFields calculator={calculator} />
      </Card>
    </div>
  );
}

/**
 * The product's calculator form (quantity, the parameters as the engine offers them) and the
 * price of the choice, or why there is none next to it. `idPrefix` keeps the inputs' ids apart
 * when a page shows several (the lines of a new order).
 */
export function CalculatorFields({ calculator, idPrefix = 'calc' }: { calculator: ProductQuote; idPrefix?: string }) {
  const { t, locale } = useI18n();
  const { form, quantity, values, quote, error } = calculator;
  if (!form) return calculator.formLoading ? <Loading /> : <QuoteProblem error={calculator.formError} onRetry={() => void calculator.reloadForm()} />;
  const limits = form.quantity;
  const problems = parameterProblems(error, locale);
  return (
    <div className="form form-stacked calculator-form">
      <Field label={t('calc.quantity')} htmlFor={`${idPrefix}-quantity`} error={problems.quantity}>
        <input id={`${idPrefix}-quantity`} className="input-short" inputMode="numeric" list={`${idPrefix}-presets`} value={quantity} onChange={(e) => calculator.setQuantity(e.target.value)} data-testid="calc-quantity" />
        {limits.presets?.length ? (
          <datalist id={`${idPrefix}-presets`}>
            {limits.presets.map((q) => (
              <option key={q} value={q} />
            ))}
          </datalist>
        ) : null}
      </Field>
      {form.parameters.map((parameter) => (
        <ParameterInput key={parameter.key} idPrefix={idPrefix} parameter={parameter} value={values[parameter.key]} error={problems[`parameters.${parameter.key}`]} onChange={(v) => calculator.setValue(parameter.key, v)} />
      ))}
      {quote ? <QuoteView quote={quote} /> : error ? <QuoteProblem error={error} inline={Object.keys(problems).length > 0} /> : <Loading />}
    </div>
  );
}

/** A select for a parameter with options, a checkbox for a yes/no one, an input otherwise. */
function ParameterInput({ idPrefix, parameter, value, error, onChange }: { idPrefix: string; parameter: CalculatorParameter; value: ParameterValue | undefined; error?: string | undefined; onChange(value: ParameterValue): void }) {
  const { t } = useI18n();
  const id = `${idPrefix}-${parameter.key.replace(/[^\w-]/g, '_')}`;
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
export function QuoteProblem({ error, inline, onRetry }: { error: unknown; inline?: boolean; onRetry?: () => void }) {
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
export function parameterProblems(error: unknown, locale: Locale): Record<string, string> {
  const result: Record<string, string> = {};
  if (!(error instanceof ApiError)) return result;
  for (const d of error.details) {
    const path = d.path.replace(/^body\./, '');
    if (path === 'quantity' || path.startsWith('parameters.')) result[path] = localizeMessage(d.message, locale);
  }
  return result;
}
