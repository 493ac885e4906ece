import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime } from '../format';
import { useI18n } from '../i18n';
import type { Locale } from '../i18n';
import { localizeMessage } from '../server-messages';
import type { PanelIntegration, PanelProductTemplate, ProductTemplateBinding, TemplateChoices, TemplateSyncAnswer } from '../types';
import { TemplateJson } from './template-json';
import { TemplateLabelTables } from './template-labels';
import { ActionForm, Button, Card, ErrorBanner, Field, Loading, Notice, Toggle, useLoad } from './ui';

/**
 * One integration's template block on the product card («Выбор шаблона …»): sync the templates
 * from its system, choose the product's, look at its JSON, and set «Название параметра на сайте»
 * per parameter. A template its system removed stays chosen and is flagged.
 */
export function ProductTemplateBlock({
  integration,
  texts,
  productId,
  onChanged,
}: {
  integration: PanelIntegration;
  texts: PanelProductTemplate;
  productId: number;
  /** The product's template or its labels changed (or were synced): its price may have too. */
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const name = integration.name;
  const base = `/integrations/${encodeURIComponent(name)}`;
  const choices = useLoad(() => api<TemplateChoices>('GET', `${base}/templates`), [base]);
  const binding = useLoad(() => api<ProductTemplateBinding>('GET', `${base}/products/${productId}/template`), [base, productId]);
  const [templateId, setTemplateId] = useState('');
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [showJson, setShowJson] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!binding.data) return;
    setTemplateId(binding.data.templateId ?? '');
    setLabels(Object.fromEntries(binding.data.parameters.map((p) => [p.key, p.siteLabel])));
  }, [binding.data]);

  const saved = binding.data;
  // The tables are the saved template's: another choice shows its parameters once it is saved.
  const sameTemplate = Boolean(saved && templateId && templateId === saved.templateId);

  const sync = async () => {
    setError(null);
    setNotice(null);
    try {
      const answer = await api<TemplateSyncAnswer>('POST', `${base}/templates/sync`);
      setNotice(answer.message);
      await Promise.all([choices.reload(), binding.reload()]);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  const save = async () => {
    setError(null);
    setNotice(null);
    try {
      const answer = await api<{ message: string }>('PUT', `${base}/products/${productId}/template`, { templateId: templateId || null, labels: sameTemplate ? labels : {} });
      setNotice(answer.message);
      await binding.reload();
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  const problems = problemsOf(error, locale);
  const options = [...(choices.data?.items ?? []).map((item) => ({ value: String(item.value), label: item.label }))];
  // The saved template stays choosable even when the list no longer has it.
  if (saved?.templateId && !options.some((o) => o.value === saved.templateId)) options.unshift({ value: saved.templateId, label: saved.templateName ?? saved.templateId });

  return (
    <div data-testid={`template-block-${name}`}>
      <Card
        className="product-template"
        title={
          <>
            {texts.title[locale]}{' '}
            <Button variant="link" onClick={sync} pendingLabel={t('template.syncing')} data-testid={`template-sync-${name}`}>
              ({texts.syncLabel[locale]})
            </Button>
          </>
        }
      >
        {texts.description && <p className="muted small template-help">{texts.description[locale]}</p>}
        {binding.loading && !binding.data ? (
          <Loading />
        ) : (
          <ActionForm className="form form-stacked" onSubmit={save}>
            {(pending) => (
              <>
                <Field label={t('template.choose')} htmlFor={`template-${name}`} error={problems.templateId}>
                  <select id={`template-${name}`} value={templateId} onChange={(e) => setTemplateId(e.target.value)} data-testid={`template-select-${name}`}>
                    <option value="">{t('template.none')}</option>
                    {options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </Field>
                <ErrorBanner error={choices.error} onRetry={() => void choices.reload()} />
                {saved?.templateId && saved.missingSince && <MissingTemplate binding={saved} system={integration.title[locale]} syncLabel={texts.syncLabel[locale]} testId={`template-missing-${name}`} />}
                <div className="field field-check">
                  <Toggle checked={showJson} onChange={setShowJson} label={t('template.showJson')} testId={`template-json-toggle-${name}`} />
                </div>
                {showJson && (templateId ? <TemplateJson integration={name} templateId={templateId} /> : <p className="muted small">{t('template.chooseFirst')}</p>)}
                {sameTemplate && saved ? (
                  <TemplateLabelTables integration={name} texts={texts} parameters={saved.parameters} labels={labels} problems={problems.labels} onChange={setLabels} />
                ) : (
                  templateId && <p className="muted small">{t('template.saveFirst')}</p>
                )}
                <div className="form-actions">
                  <Button type="submit" variant="primary" pending={pending} pendingLabel={t('common.saving')} data-testid={`template-save-${name}`}>
                    {t('common.save')}
                  </Button>
                </div>
              </>
            )}
          </ActionForm>
        )}
        <ErrorBanner error={binding.error} onRetry={() => void binding.reload()} />
        {notice && (
          <Notice>
            <span data-testid={`template-notice-${name}`}>{notice}</span>
          </Notice>
        )}
        <ErrorBanner error={error} inline={error instanceof ApiError && error.details.length > 0 && error.details.every((d) => /^body\.(templateId|labels\.)/.test(d.path))} />
      </Card>
    </div>
  );
}

/** The chosen template is gone from the other system: the product keeps it, flagged, until another is chosen. */
function MissingTemplate({ binding, system, syncLabel, testId }: { binding: ProductTemplateBinding; system: string; syncLabel: string; testId: string }) {
  const { t, locale } = useI18n();
  const since = binding.missingSince!;
  const text = Number.isNaN(Date.parse(since))
    ? t('template.notSynced', { id: binding.templateId ?? '', sync: syncLabel })
    : t('template.missing', { name: binding.templateName ?? binding.templateId ?? '', system, when: formatDateTime(since, locale) });
  return (
    <div className="alert alert-warning" role="alert" data-testid={testId}>
      {text}
    </div>
  );
}

/** The server's complaints about the chosen template and each parameter's label. */
function problemsOf(error: unknown, locale: Locale): { templateId?: string; labels: Record<string, string> } {
  const result: { templateId?: string; labels: Record<string, string> } = { labels: {} };
  if (!(error instanceof ApiError)) return result;
  for (const d of error.details) {
    const message = localizeMessage(d.message, locale);
    if (d.path === 'body.templateId') result.templateId = message;
    else if (d.path.startsWith('body.labels.')) result.labels[d.path.slice('body.labels.'.length)] = message;
  }
  return result;
}
