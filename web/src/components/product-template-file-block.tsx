import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { useI18n } from '../i18n';
import { localizeMessage } from '../server-messages';
import type { PanelIntegration, PanelProductTemplateFile, ProductTemplateFile } from '../types';
import { ActionForm, Button, Card, ErrorBanner, Loading, Notice, Toggle, useLoad } from './ui';

const STRATEGIES = ['floor', 'exact', 'interpolate'] as const;

/**
 * One integration's template-file block on the product card: upload the product's file, see
 * what was read (file, product, number of variants), its JSON, reset the binding; the switch to
 * price by the product's own tiers, the tier strategy, and a preset value per parameter (a
 * preset the current file no longer has is flagged, as the server says).
 */
export function ProductTemplateFileBlock({
  integration,
  texts,
  productId,
  onChanged,
}: {
  integration: PanelIntegration;
  texts: PanelProductTemplateFile;
  productId: number;
  /** The product's template or its settings changed: its price may have too. */
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const name = integration.name;
  const route = `/integrations/${encodeURIComponent(name)}/products/${productId}/template-file`;
  const view = useLoad(() => api<ProductTemplateFile>('GET', route), [route]);
  const [useTiers, setUseTiers] = useState(false);
  const [strategy, setStrategy] = useState<ProductTemplateFile['strategy']>('floor');
  const [presets, setPresets] = useState<Record<string, string>>({});
  const [showJson, setShowJson] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [uploading, setUploading] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!view.data) return;
    setUseTiers(view.data.useTiers);
    setStrategy(view.data.strategy);
    setPresets(Object.fromEntries(view.data.restrictions.filter((r) => r.preset !== null).map((r) => [r.name, r.preset!])));
  }, [view.data]);

  const done = async (answer: ProductTemplateFile) => {
    view.setData(answer);
    setNotice(answer.message ?? null);
    onChanged();
  };

  const upload = async (file: File) => {
    setError(null);
    setNotice(null);
    setUploading(true);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      await done(await api<ProductTemplateFile>('POST', route, form));
    } catch (e) {
      setError(e);
    } finally {
      setUploading(false);
      if (picker.current) picker.current.value = '';
    }
  };

  const reset = async () => {
    if (!window.confirm(t('templateFile.resetConfirm'))) return;
    setError(null);
    setNotice(null);
    try {
      await done(await api<ProductTemplateFile>('DELETE', route));
      setShowJson(false);
    } catch (e) {
      setError(e);
    }
  };

  const save = async () => {
    setError(null);
    setNotice(null);
    try {
      const restrictions = Object.fromEntries((view.data?.restrictions ?? []).map((r) => [r.name, presets[r.name] ?? null]));
      await done(await api<ProductTemplateFile>('PUT', `${route}/settings`, { useTiers, strategy, restrictions }));
    } catch (e) {
      setError(e);
    }
  };

  const saved = view.data;
  const template = saved?.template ?? null;
  const problems = problemsOf(error, locale);

  return (
    <div data-testid={`template-file-block-${name}`}>
      <Card className="product-template" title={texts.title[locale]}>
        {texts.description && <p className="muted small template-help">{texts.description[locale]}</p>}
        {view.loading && !saved ? (
          <Loading />
        ) : (
          <>
            <p className="muted small">{texts.title[locale]}</p>
            {template ? (
              <dl className="template-file-facts" data-testid={`template-file-facts-${name}`}>
                <dt>{t('templateFile.file')}</dt>
                <dd data-testid={`template-file-name-${name}`}>{template.file}</dd>
                <dt>{t('templateFile.product')}</dt>
                <dd data-testid={`template-file-product-${name}`}>{template.product ?? ''}</dd>
                <dt>{t('templateFile.variants')}</dt>
                <dd data-testid={`template-file-variants-${name}`}>{template.variants}</dd>
              </dl>
            ) : (
              <p data-testid={`template-file-none-${name}`}>{t('templateFile.none')}</p>
            )}
            <h4>{t('templateFile.actions')}</h4>
            <div className="form-actions">
              <input
                ref={picker}
                type="file"
                accept={texts.accept}
                hidden
                data-testid={`template-file-input-${name}`}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void upload(file);
                }}
              />
              <Button onClick={() => picker.current?.click()} pending={uploading} pendingLabel={t('templateFile.uploading')} data-testid={`template-file-upload-${name}`}>
                {texts.uploadLabel[locale]}
              </Button>
              <Button onClick={reset} disabled={!template} data-testid={`template-file-reset-${name}`}>
                {t('templateFile.reset')}
              </Button>
            </div>
            {problems.file && (
              <div className="alert alert-danger" role="alert" data-testid={`template-file-error-${name}`}>
                {problems.file}
              </div>
            )}
            {template && (
              <div className="field field-check">
                <Toggle checked={showJson} onChange={setShowJson} label={t('template.showJson')} testId={`template-file-json-toggle-${name}`} />
              </div>
            )}
            {template && showJson && <TemplateFileJson route={`${route}/json`} testId={`template-file-json-${name}`} revision={template.uploadedAt} />}
          </>
        )}
      </Card>
      {saved && (
        <Card className="product-template">
          <ActionForm className="form form-stacked" onSubmit={save}>
            {(pending) => (
              <>
                <div className="field field-check">
                  <Toggle checked={useTiers} onChange={setUseTiers} label={texts.useTiersLabel[locale]} testId={`template-file-use-tiers-${name}`} />
                </div>
                <label className="field">
                  <span>{t('templateFile.strategy')}</span>
                  <select value={strategy} disabled={useTiers} onChange={(e) => setStrategy(e.target.value as ProductTemplateFile['strategy'])} data-testid={`template-file-strategy-${name}`}>
                    {STRATEGIES.map((s) => (
                      <option key={s} value={s}>
                        {t(`templateFile.strategy.${s}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <h4>{texts.restrictionsTitle[locale]}</h4>
                {saved.restrictions.length === 0 ? (
                  <p className="muted small">{template ? t('templateFile.noParameters') : t('templateFile.none')}</p>
                ) : (
                  <table className="table" data-testid={`template-file-restrictions-${name}`}>
                    <thead>
                      <tr>
                        <th>{texts.parameterColumn[locale]}</th>
                        <th>{texts.presetColumn[locale]}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {saved.restrictions.map((row) => {
                        const value = presets[row.name] ?? '';
                        const values = value && !row.values.includes(value) ? [value, ...row.values] : row.values;
                        return (
                          <tr key={row.name}>
                            <td>{row.name}</td>
                            <td>
                              <select
                                value={value}
                                aria-label={row.name}
                                onChange={(e) => setPresets({ ...presets, [row.name]: e.target.value })}
                                data-testid={`template-file-preset-${name}-${row.name}`}
                              >
                                <option value="">{t('templateFile.notChosen')}</option>
                                {values.map((v) => (
                                  <option key={v} value={v}>
                                    {v}
                                  </option>
                                ))}
                              </select>
                              {row.problem && presets[row.name] === row.preset && (
                                <div className="alert alert-warning small" role="alert">
                                  {row.problem}
                                </div>
                              )}
                              {problems.restrictions[row.name] && <div className="field-error">{problems.restrictions[row.name]}</div>}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                )}
                <div className="form-actions">
                  <Button type="submit" variant="primary" pending={pending} pendingLabel={t('common.saving')} data-testid={`template-file-save-${name}`}>
                    {t('common.save')}
                  </Button>
                </div>
              </>
            )}
          </ActionForm>
        </Card>
      )}
      <ErrorBanner error={view.error} onRetry={() => void view.reload()} />
      {notice && (
        <Notice>
          <span data-testid={`template-file-notice-${name}`}>{notice}</span>
        </Notice>
      )}
      {error !== null && !problems.file && <ErrorBanner error={error} inline={Object.keys(problems.restrictions).length > 0} />}
    </div>
  );
}

/** «Покажи внутренний JSON»: the template as the server read it. */
function TemplateFileJson({ route, testId, revision }: { route: string; testId: string; revision: string }) {
  const { t } = useI18n();
  const loaded = useLoad(() => api<unknown>('GET', route), [route, revision]);
  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBanner error={loaded.error} onRetry={() => void loaded.reload()} />;
  return (
    <pre className="mono template-json" aria-label={t('template.showJson')} data-testid={testId}>
      {JSON.stringify(loaded.data, null, 2)}
    </pre>
  );
}

/** The server's complaint about the file (with its line) and about each preset. */
function problemsOf(error: unknown, locale: 'ru' | 'en'): { file?: string; restrictions: Record<string, string> } {
  const result: { file?: string; restrictions: Record<string, string> } = { restrictions: {} };
  if (!(error instanceof ApiError)) return result;
  for (const d of error.details) {
    if (d.path === 'body.file') result.file = error.message;
    else if (d.path.startsWith('body.restrictions.')) result.restrictions[d.path.slice('body.restrictions.'.length)] = localizeMessage(d.message, locale);
  }
  return result;
}
