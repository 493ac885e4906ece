import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, query } from '../api';
import { ActionForm, Button, Card, Empty, ErrorBanner, Field, Loading, Notice, PageHeader, Toggle, useLoad } from '../components/ui';
import { ProductCalculatorPreview } from '../components/product-calculator';
import { CategoryWidgetCard, WidgetSitesCard } from '../components/calculator-widget';
import { ProductTemplates } from '../components/product-templates';
import { loadCalculatorEngines } from '../data';
import { formatMoney, parseRubles, rublesInput } from '../format';
import { localizeMessage } from '../server-messages';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { useIsAdmin } from '../session';
import type { CalculatorEngineInfo, Category, Page, Product, Tiers } from '../types';
import type { Locale } from '../i18n';

/** A calculator's label in the panel's language (its code when the server does not know it). */
function engineLabel(engines: CalculatorEngineInfo[] | undefined, code: string, locale: Locale): string {
  return engines?.find((e) => e.code === code)?.label[locale] ?? code;
}

/** «Печать / Продукты»: categories with their calculator, products with quantity tiers and prices. */
export function CatalogPage() {
  const { t, locale } = useI18n();
  const engines = useLoad(loadCalculatorEngines, []);
  const { query: params } = useLocation();
  const categoryId = Number(params.get('category')) || null;
  const productId = Number(params.get('product')) || null;
  const categories = useLoad(() => api<Page<Category>>('GET', `/categories${query({ limit: 200 })}`), []);
  const isAdmin = useIsAdmin();
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<unknown>(null);

  const select = (category: number | null, product: number | null = null) =>
    navigate(`/print/products${query({ category: category ?? undefined, product: product ?? undefined })}`, { replace: true });

  useEffect(() => {
    const first = categories.data?.items[0];
    if (!categoryId && first) select(first.id);
  }, [categories.data, categoryId]);

  const addCategory = async () => {
    setError(null);
    try {
      const created = await api<Category>('POST', '/categories', { name: newName.trim() });
      setNewName('');
      await categories.reload();
      select(created.id);
    } catch (e) {
      setError(e);
    }
  };

  const category = categories.data?.items.find((c) => c.id === categoryId) ?? null;

  return (
    <div className="page">
      <PageHeader title={t('catalog.title')} />
      {!isAdmin && (
        <Notice kind="info">
          <span data-testid="catalog-admin-only">{t('catalog.adminOnly')}</span>
        </Notice>
      )}
      <div className="catalog-grid">
        <div className="catalog-side">
        <Card title={t('catalog.categories')} className="catalog-categories">
          {categories.loading && !categories.data ? (
            <Loading />
          ) : (
            <>
              <ErrorBanner error={categories.error} onRetry={() => void categories.reload()} />
              {!categories.data?.items.length ? (
                <p className="muted small">{t('catalog.noCategories')}</p>
              ) : (
                <ul className="select-list">
                  {categories.data.items.map((c) => (
                    <li key={c.id}>
                      <button type="button" className={c.id === categoryId ? 'is-active' : ''} onClick={() => select(c.id)}>
                        <span>{c.name}</span>
                        <span className="muted small">{engineLabel(engines.data, c.calculatorEngine, locale)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
          {isAdmin && (
            <ActionForm className="inline-form" onSubmit={addCategory} disabled={!newName.trim()}>
              {(pending) => (
                <>
                  <input value={newName} aria-label={t('catalog.newCategory')} placeholder={t('catalog.newCategory')} onChange={(e) => setNewName(e.target.value)} data-testid="new-category" />
                  <Button type="submit" pending={pending} disabled={!newName.trim()}>
                    {t('common.add')}
                  </Button>
                </>
              )}
            </ActionForm>
          )}
          <ErrorBanner error={error} />
        </Card>
        {isAdmin && <WidgetSitesCard />}
        </div>
        <div className="catalog-detail">
          {category ? (
            <>
              <AdminOnly>
                <CategoryCard key={category.id} category={category} onSaved={() => void categories.reload()} />
                <CategoryWidgetCard key={`widget-${category.id}-${category.version}`} category={category} onSaved={() => void categories.reload()} />
              </AdminOnly>
              <ProductsCard categoryId={category.id} productId={productId} onSelect={(id) => select(category.id, id)} />
            </>
          ) : (
            !categories.loading && <Empty>{t('catalog.noCategories')}</Empty>
          )}
        </div>
      </div>
    </div>
  );
}

function CategoryCard({ category, onSaved }: { category: Category; onSaved(): void }) {
  const { t, locale } = useI18n();
  const engines = useLoad(loadCalculatorEngines, []);
  // The saved calculator stays choosable even if the server no longer lists it.
  const choices = [...(engines.data ?? [])];
  if (!choices.some((e) => e.code === category.calculatorEngine)) choices.unshift({ code: category.calculatorEngine, label: { ru: category.calculatorEngine, en: category.calculatorEngine } });
  const [engine, setEngine] = useState(category.calculatorEngine);
  const [primary, setPrimary] = useState(category.calculatorPrimary);
  const [name, setName] = useState(category.name);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const dirty = engine !== category.calculatorEngine || primary !== category.calculatorPrimary || name.trim() !== category.name;

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      await api('PATCH', `/categories/${category.id}`, { name: name.trim(), calculatorEngine: engine, calculatorPrimary: primary, version: category.version });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') onSaved();
    }
  };

  return (
    <Card title={`${t('catalog.category')}: ${category.name}`}>
      <ActionForm className="form" onSubmit={save} disabled={!dirty || !name.trim()}>
        {(pending) => (
          <>
            <Field label={t('catalog.name')} htmlFor="category-name">
              <input id="category-name" value={name} onChange={(e) => setName(e.target.value)} />
            </Field>
            <Field label={t('catalog.engine')} htmlFor="engine">
              <select id="engine" value={engine} onChange={(e) => setEngine(e.target.value as Category['calculatorEngine'])} data-testid="category-engine">
                {choices.map((e) => (
                  <option key={e.code} value={e.code}>
                    {e.label[locale]}
                  </option>
                ))}
              </select>
            </Field>
            <ErrorBanner error={engines.error} onRetry={() => void engines.reload()} />
            <div className="field field-check">
              <Toggle checked={primary} onChange={setPrimary} label={t('catalog.primary')} testId="category-primary" />
            </div>
            <div className="form-actions">
              <Button type="submit" variant="primary" pending={pending} disabled={!dirty || !name.trim()} pendingLabel={t('common.saving')}>
                {t('common.save')}
              </Button>
              {saved && !dirty && <Notice>{t('common.saved')}</Notice>}
            </div>
            <ErrorBanner error={error} />
          </>
        )}
      </ActionForm>
    </Card>
  );
}

function ProductsCard({ categoryId, productId, onSelect }: { categoryId: number; productId: number | null; onSelect(id: number | null): void }) {
  const { t, locale } = useI18n();
  const products = useLoad(() => api<Page<Product>>('GET', `/products${query({ categoryId, limit: 200 })}`), [categoryId]);
  const isAdmin = useIsAdmin();
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<unknown>(null);
  // Bumped when the product's template changes: the calculator prices it afresh.
  const [templateRevision, setTemplateRevision] = useState(0);
  const product = products.data?.items.find((p) => p.id === productId) ?? null;

  const add = async () => {
    setError(null);
    try {
      const created = await api<Product>('POST', '/products', {
        name: newName.trim(),
        categoryId,
        tiers: { mode: 'presets', presets: [{ quantity: 100, price: 0 }] },
      });
      setNewName('');
      await products.reload();
      onSelect(created.id);
    } catch (e) {
      setError(e);
    }
  };

  const fromPrice = (p: Product) => {
    const tiers = p.tiers;
    const minor = tiers.mode === 'presets' ? Math.min(...tiers.presets.map((x) => x.price)) : Math.min(...tiers.prices.map((x) => x.unitPrice));
    return t('catalog.fromPrice', { price: formatMoney(minor, locale, p.currency) });
  };

  return (
    <div className="catalog-products">
      <Card title={t('catalog.products')}>
        {products.loading && !products.data ? (
          <Loading />
        ) : !products.data?.items.length ? (
          <p className="muted small">{t('catalog.noProducts')}</p>
        ) : (
          <ul className="select-list">
            {products.data.items.map((p) => (
              <li key={p.id}>
                <button type="button" className={p.id === productId ? 'is-active' : ''} onClick={() => onSelect(p.id)}>
                  <span>{p.name}</span>
                  <span className="muted small">{fromPrice(p)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {isAdmin && (
          <ActionForm className="inline-form" onSubmit={add} disabled={!newName.trim()}>
            {(pending) => (
              <>
                <input value={newName} aria-label={t('catalog.newProduct')} placeholder={t('catalog.newProduct')} onChange={(e) => setNewName(e.target.value)} data-testid="new-product" />
                <Button type="submit" pending={pending} disabled={!newName.trim()}>
                  {t('common.add')}
                </Button>
              </>
            )}
          </ActionForm>
        )}
        <ErrorBanner error={error || products.error} />
      </Card>
      {product ? (
        <div className="product-column">
          <AdminOnly>
            <ProductEditor key={product.id} product={product} onSaved={() => void products.reload()} />
            <ProductTemplates key={`templates-${product.id}`} productId={product.id} onChanged={() => setTemplateRevision((n) => n + 1)} />
          </AdminOnly>
          <ProductCalculatorPreview key={`calculator-${product.id}-${product.version}-${templateRevision}`} productId={product.id} />
        </div>
      ) : (
        <Empty>{t('catalog.selectProduct')}</Empty>
      )}
    </div>
  );
}

/**
 * Editing controls an administrator may use; for a manager every input and button inside is
 * disabled (a disabled fieldset), so the catalog reads the same but nothing can be sent.
 */
function AdminOnly({ children }: { children: ReactNode }) {
  return (
    <fieldset className="fieldset-transparent" disabled={!useIsAdmin()}>
      {children}
    </fieldset>
  );
}

type TierDraft =
  | { mode: 'presets'; presets: Array<{ quantity: string; price: string }> }
  | { mode: 'range'; min: string; max: string; step: string; prices: Array<{ fromQuantity: string; unitPrice: string }> };

function draftOf(tiers: Tiers): TierDraft {
  return tiers.mode === 'presets'
    ? { mode: 'presets', presets: tiers.presets.map((p) => ({ quantity: String(p.quantity), price: rublesInput(p.price) })) }
    : {
        mode: 'range',
        min: String(tiers.min),
        max: String(tiers.max),
        step: String(tiers.step),
        prices: tiers.prices.map((p) => ({ fromQuantity: String(p.fromQuantity), unitPrice: rublesInput(p.unitPrice) })),
      };
}

/** Typed text → the API's tiers; kopecks from rubles. Bad numbers go through as NaN-free nulls the server names. */
function tiersOf(draft: TierDraft): unknown {
  const int = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim() === '' ? null : s);
  const money = (s: string) => parseRubles(s) ?? (s.trim() === '' ? null : s);
  return draft.mode === 'presets'
    ? { mode: 'presets', presets: draft.presets.map((p) => ({ quantity: int(p.quantity), price: money(p.price) })) }
    : {
        mode: 'range',
        min: int(draft.min),
        max: int(draft.max),
        step: int(draft.step),
        prices: draft.prices.map((p) => ({ fromQuantity: int(p.fromQuantity), unitPrice: money(p.unitPrice) })),
      };
}

const RANGE_LABELS = { min: 'catalog.rangeFrom', max: 'catalog.rangeTo', step: 'catalog.rangeStep' } as const;

/** The paths the product editor shows next to their input; a refusal about anything else goes to the banner. */
const SHOWN_INLINE = /^(name|sku|tiers\.(min|max|step)|tiers\.(presets|prices)\[\d+\]\.\w+)$/;

function ProductEditor({ product: initial, onSaved }: { product: Product; onSaved(): void }) {
  const { t, locale } = useI18n();
  // Kept here, not re-read from the list, so a save does not reset the form (and its «Сохранено»).
  const [product, setProduct] = useState(initial);
  const [name, setName] = useState(product.name);
  const [sku, setSku] = useState(product.sku ?? '');
  const [draft, setDraft] = useState<TierDraft>(draftOf(product.tiers));
  const [other, setOther] = useState<Record<'presets' | 'range', TierDraft>>({
    presets: product.tiers.mode === 'presets' ? draftOf(product.tiers) : { mode: 'presets', presets: [{ quantity: '100', price: '0' }] },
    range:
      product.tiers.mode === 'range'
        ? draftOf(product.tiers)
        : { mode: 'range', min: '1', max: '1000', step: '1', prices: [{ fromQuantity: '1', unitPrice: '0' }] },
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const switchMode = (mode: 'presets' | 'range') => {
    if (mode === draft.mode) return;
    setOther({ ...other, [draft.mode]: draft });
    setDraft(other[mode]);
  };

  const problems = new Map<string, string>();
  if (error instanceof ApiError) for (const d of error.details) problems.set(d.path.replace(/^body\./, ''), localizeMessage(d.message, locale));
  const problem = (path: string) => problems.get(path);

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      setProduct(await api<Product>('PATCH', `/products/${product.id}`, { name: name.trim(), sku: sku.trim() || null, tiers: tiersOf(draft), version: product.version }));
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') onSaved();
    }
  };

  return (
    <Card title={product.name} className="product-editor">
      <ActionForm onSubmit={save} disabled={!name.trim()}>
        {(pending) => (
          <>
            <div className="form form-stacked">
              <Field label={t('catalog.name')} error={problem('name')} htmlFor="product-name">
                <input id="product-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="product-name" />
              </Field>
              <Field label={t('catalog.sku')} error={problem('sku')} htmlFor="product-sku">
                <input id="product-sku" value={sku} onChange={(e) => setSku(e.target.value)} className="input-short" />
              </Field>
            </div>
            <h3 className="section-title">{t('catalog.tiers')}</h3>
            <div className="radio-row">
              <label className="check">
                <input type="radio" name="tier-mode" checked={draft.mode === 'presets'} onChange={() => switchMode('presets')} /> {t('catalog.tiersPresets')}
              </label>
              <label className="check">
                <input type="radio" name="tier-mode" checked={draft.mode === 'range'} onChange={() => switchMode('range')} data-testid="tiers-range" /> {t('catalog.tiersRange')}
              </label>
            </div>

            {draft.mode === 'presets' ? (
              <TierTable
                rows={draft.presets}
                columns={[
                  { key: 'quantity', label: t('catalog.presetQty'), inputMode: 'numeric' },
                  { key: 'price', label: t('catalog.presetPrice'), inputMode: 'decimal' },
                ]}
                blank={{ quantity: '', price: '' }}
                path="tiers.presets"
                problem={problem}
                onChange={(presets) => setDraft({ ...draft, presets })}
                addLabel={t('catalog.addPreset')}
                testId="tiers-presets"
              />
            ) : (
              <>
                <div className="range-row">
                  {(['min', 'max', 'step'] as const).map((key) => (
                    <label key={key} className="range-part">
                      {t(RANGE_LABELS[key])}{' '}
                      <input
                        className={`input-tiny${problem(`tiers.${key}`) ? ' is-invalid' : ''}`}
                        inputMode="numeric"
                        value={draft[key]}
                        aria-invalid={problem(`tiers.${key}`) ? true : undefined}
                        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
                        data-testid={`tiers-${key}`}
                      />
                    </label>
                  ))}
                </div>
                {(['min', 'max', 'step'] as const).map(
                  (key) =>
                    problem(`tiers.${key}`) && (
                      <div key={key} className="field-error" data-testid={`error-tiers-${key}`}>
                        «{t(RANGE_LABELS[key])}»: {problem(`tiers.${key}`)}
                      </div>
                    ),
                )}
                <TierTable
                  rows={draft.prices}
                  columns={[
                    { key: 'fromQuantity', label: t('catalog.breakFrom'), inputMode: 'numeric' },
                    { key: 'unitPrice', label: t('catalog.breakPrice'), inputMode: 'decimal' },
                  ]}
                  blank={{ fromQuantity: '', unitPrice: '' }}
                  path="tiers.prices"
                  problem={problem}
                  onChange={(prices) => setDraft({ ...draft, prices })}
                  addLabel={t('catalog.addBreak')}
                  testId="tiers-prices"
                />
              </>
            )}
            <div className="form-actions">
              <Button type="submit" variant="primary" pending={pending} pendingLabel={t('common.saving')} disabled={!name.trim()} data-testid="save-product">
                {t('common.save')}
              </Button>
              {saved && <Notice>{t('common.saved')}</Notice>}
            </div>
            <ErrorBanner error={error} inline={error instanceof ApiError && error.details.every((d) => SHOWN_INLINE.test(d.path.replace(/^body\./, '')))} />
          </>
        )}
      </ActionForm>
    </Card>
  );
}

/**
 * The rows of a tier table (presets, or a range's price breaks): a text input per column, outlined when the
 * server refuses it, with its complaint (`path[i].column`) below; «Удалить» per row (the last one stays) and «Добавить».
 */
function TierTable<K extends string>({
  rows,
  columns,
  blank,
  path,
  problem,
  onChange,
  addLabel,
  testId,
}: {
  rows: Array<Record<K, string>>;
  columns: Array<{ key: K; label: string; inputMode: 'numeric' | 'decimal' }>;
  blank: Record<K, string>;
  path: string;
  problem(path: string): string | undefined;
  onChange(rows: Array<Record<K, string>>): void;
  addLabel: string;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <table className="table table-compact tiers-table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key}>{c.label}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {columns.map(({ key, label, inputMode }) => {
              const error = problem(`${path}[${i}].${key}`);
              return (
                <td key={key}>
                  <input
                    inputMode={inputMode}
                    aria-label={`${label} (${i + 1})`}
                    value={row[key]}
                    className={error ? 'is-invalid' : undefined}
                    aria-invalid={error ? true : undefined}
                    onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: e.target.value } : r)))}
                  />
                  {error && <div className="field-error">{error}</div>}
                </td>
              );
            })}
            <td>
              <button type="button" className="btn btn-link" disabled={rows.length <= 1} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                {t('common.delete')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={columns.length + 1}>
            <button type="button" className="btn btn-secondary" onClick={() => onChange([...rows, blank])}>
              {addLabel}
            </button>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
