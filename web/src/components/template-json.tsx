import { api } from '../api';
import { useI18n } from '../i18n';
import { ErrorBanner, Loading, useLoad } from './ui';

/** «Покажи внутренний JSON»: the template as the other system sent it and as printsync reads it. */
export function TemplateJson({ integration, templateId }: { integration: string; templateId: string }) {
  const { t } = useI18n();
  const loaded = useLoad(() => api<unknown>('GET', `/integrations/${encodeURIComponent(integration)}/templates/${encodeURIComponent(templateId)}`), [integration, templateId]);
  if (loaded.loading && !loaded.data) return <Loading />;
  if (loaded.error) return <ErrorBanner error={loaded.error} onRetry={() => void loaded.reload()} />;
  return (
    <pre className="mono template-json" aria-label={t('template.showJson')} data-testid={`template-json-${integration}`}>
      {JSON.stringify(loaded.data, null, 2)}
    </pre>
  );
}
