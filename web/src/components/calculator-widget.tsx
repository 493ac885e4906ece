import { useState } from 'react';
import { api, ApiError } from '../api';
import { useI18n } from '../i18n';
import type { Category } from '../types';
import { ActionForm, Button, Card, ErrorBanner, Field, Notice, Toggle, useLoad } from './ui';

/** A site allowed to embed the storefront calculator (GET /widget-sites). */
interface WidgetSite {
  id: number;
  name: string;
  key: string;
  origins: string[];
}

type WidgetOptions = Category['widget'];

/** The seven options of the category's «Калькулятор» tab, in the seed's order, with their message keys. */
const TOGGLES = [
  ['continueCaption', 'widget.continueCaption'],
  ['addToCart', 'widget.addToCart'],
  ['fileUpload', 'widget.fileUpload'],
  ['unitPrice', 'widget.unitPrice'],
  ['stylesOnPages', 'widget.stylesOnPages'],
  ['stylesInEditor', 'widget.stylesInEditor'],
  ['grouping', 'widget.grouping'],
] as const;

/** The ready snippet a shop pastes into its page: a container and one script tag. */
export function widgetSnippet(origin: string, site: WidgetSite | undefined, categoryId: number): string {
  const id = `printsync-calc-${categoryId}`;
  return [
    `<div id="${id}"></div>`,
    `<script src="${origin}/widget/calculator.js" async data-container="${id}" data-key="${site?.key ?? 'КЛЮЧ_САЙТА'}" data-category="${categoryId}"`,
    `  data-on-continue="onPrintsyncContinue" data-on-add-to-cart="onPrintsyncAddToCart"></script>`,
  ].join('\n');
}

/**
 * The category's storefront calculator: the widget's seven options, its caption and custom
 * styles, and the snippet to copy for a site (CALC-2).
 */
export function CategoryWidgetCard({ category, onSaved }: { category: Category; onSaved(): void }) {
  const { t } = useI18n();
  const sites = useLoad(() => api<{ items: WidgetSite[] }>('GET', '/widget-sites'), []);
  const [draft, setDraft] = useState<WidgetOptions>(category.widget);
  const [siteId, setSiteId] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(category.widget);
  const site = sites.data?.items.find((s) => s.id === siteId) ?? sites.data?.items[0];
  const snippet = widgetSnippet(window.location.origin, site, category.id);

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      await api('PATCH', `/categories/${category.id}`, { widget: { ...draft, continueCaptionText: draft.continueCaptionText?.trim() || null, customCss: draft.customCss?.trim() ? draft.customCss : null }, version: category.version });
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') onSaved();
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <Card title={t('widget.title')}>
      <div className="form" data-testid="category-widget">
        <Field label={t('widget.script')} htmlFor="widget-snippet" hint={t('widget.scriptHint')}>
          <textarea id="widget-snippet" className="mono" rows={6} readOnly value={snippet} onFocus={(e) => e.currentTarget.select()} data-testid="widget-snippet" />
        </Field>
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={() => void copy()} data-testid="widget-snippet-copy">
            {t('ext.copy')}
          </button>
          {copied && <Notice>{t('ext.copied')}</Notice>}
        </div>
        {sites.data && sites.data.items.length > 1 && (
          <Field label={t('widget.site')} htmlFor="widget-site">
            <select id="widget-site" value={site?.id ?? ''} onChange={(e) => setSiteId(Number(e.target.value))}>
              {sites.data.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        {sites.data && !sites.data.items.length && <Notice kind="info">{t('widget.noSites')}</Notice>}
        <ErrorBanner error={sites.error} onRetry={() => void sites.reload()} />
      </div>
      <ActionForm className="form" onSubmit={save} disabled={!dirty}>
        {(pending) => (
          <>
            {TOGGLES.map(([key, label]) => (
              <div className="field field-check" key={key}>
                <Toggle checked={draft[key]} onChange={(value) => setDraft({ ...draft, [key]: value })} label={t(label)} testId={`widget-${key}`} />
              </div>
            ))}
            {draft.continueCaption && (
              <Field label={t('widget.captionText')} htmlFor="widget-caption">
                <input id="widget-caption" maxLength={60} value={draft.continueCaptionText ?? ''} onChange={(e) => setDraft({ ...draft, continueCaptionText: e.target.value })} data-testid="widget-caption" />
              </Field>
            )}
            {(draft.stylesOnPages || draft.stylesInEditor) && (
              <Field label={t('widget.customCss')} htmlFor="widget-css" hint={t('widget.customCssHint')}>
                <textarea id="widget-css" className="mono" rows={5} value={draft.customCss ?? ''} onChange={(e) => setDraft({ ...draft, customCss: e.target.value })} data-testid="widget-css" />
              </Field>
            )}
            <div className="form-actions">
              <Button type="submit" variant="primary" pending={pending} disabled={!dirty} pendingLabel={t('common.saving')} data-testid="widget-save">
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

/** Sites that may embed the calculator: a public key each and the addresses allowed. */
export function WidgetSitesCard() {
  const { t } = useI18n();
  const sites = useLoad(() => api<{ items: WidgetSite[] }>('GET', '/widget-sites'), []);
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [error, setError] = useState<unknown>(null);
  const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

  const add = async () => {
    setError(null);
    try {
      await api('POST', '/widget-sites', { name: name.trim(), origins: list(origins) });
      setName('');
      setOrigins('');
      await sites.reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (site: WidgetSite) => {
    setError(null);
    try {
      await api('DELETE', `/widget-sites/${site.id}`);
      await sites.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Card title={t('widget.sites')}>
      <p className="muted small">{t('widget.sitesHint')}</p>
      <ErrorBanner error={sites.error} onRetry={() => void sites.reload()} />
      <ul className="plain-list" data-testid="widget-sites">
        {sites.data?.items.map((site) => (
          <li key={site.id}>
            <strong>{site.name}</strong> <code className="mono">{site.key}</code>
            <div className="muted small">{site.origins.join(', ')}</div>
            <Button onClick={() => remove(site)}>{t('widget.removeSite')}</Button>
          </li>
        ))}
      </ul>
      <ActionForm className="form" onSubmit={add} disabled={!name.trim() || !list(origins).length}>
        {(pending) => (
          <>
            <Field label={t('widget.siteName')} htmlFor="widget-site-name">
              <input id="widget-site-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="widget-site-name" />
            </Field>
            <Field label={t('widget.siteOrigins')} htmlFor="widget-site-origins" hint={t('widget.siteOriginsHint')}>
              <input id="widget-site-origins" value={origins} placeholder="https://shop.example" onChange={(e) => setOrigins(e.target.value)} data-testid="widget-site-origins" />
            </Field>
            <div className="form-actions">
              <Button type="submit" pending={pending} disabled={!name.trim() || !list(origins).length} data-testid="widget-site-add">
                {t('common.add')}
              </Button>
            </div>
          </>
        )}
      </ActionForm>
      <ErrorBanner error={error} />
    </Card>
  );
}
