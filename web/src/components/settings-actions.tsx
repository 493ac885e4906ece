import { api } from '../api';
import { useI18n } from '../i18n';
import type { SettingsActionAnswer, SettingsActionInfo } from '../types';
import type { FormValue } from './schema-form';
import { Button } from './ui';

/**
 * The integration's buttons that fill settings fields from its live system (e.g. the ids of its
 * manager and counterparty): each runs on the form as typed; what comes back is put into the
 * form unsaved, and the admin saves it with «Сохранить».
 */
export function SettingsActions({
  integration,
  actions,
  draft,
  onAnswer,
  onFailed,
}: {
  integration: string;
  actions: readonly SettingsActionInfo[];
  draft: FormValue;
  onAnswer(answer: SettingsActionAnswer): void;
  onFailed(error: unknown): void;
}) {
  const { t } = useI18n();
  const run = async (action: SettingsActionInfo) => {
    try {
      onAnswer(await api<SettingsActionAnswer>('POST', `/integrations/${encodeURIComponent(integration)}/actions/${encodeURIComponent(action.id)}`, { settings: draft }));
    } catch (e) {
      onFailed(e);
    }
  };
  return (
    <>
      {actions.map((action) => (
        <Button key={action.id} onClick={() => run(action)} pendingLabel={t('integrations.actionRunning')} data-testid={`action-${integration}-${action.id}`}>
          {action.title}
        </Button>
      ))}
    </>
  );
}
