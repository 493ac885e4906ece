import type { InputHTMLAttributes, ReactNode } from 'react';
import type { EditCard } from '../hooks/use-edit-card';
import { useI18n } from '../i18n';
import { ActionForm, Button, ErrorBanner, Field, Notice } from './ui';

/** The form fields of `F` that hold text. */
type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/**
 * A card's edit form (see `useEditCard`): the fields, then «Сохранить» with «Сохранено» beside it,
 * then what went wrong. Enter in a field saves, as the button does (once, however often it is pressed).
 */
export function EditForm<F>({ card, children, disabled, saveTestId }: { card: EditCard<F>; children: ReactNode; disabled?: boolean; saveTestId?: string }) {
  const { t } = useI18n();
  return (
    <ActionForm className="form" onSubmit={card.save} disabled={disabled}>
      {(pending) => (
        <>
          {children}
          <div className="form-actions">
            <Button type="submit" variant="primary" pending={pending} pendingLabel={t('common.saving')} disabled={disabled} data-testid={saveTestId}>
              {t('common.save')}
            </Button>
            {card.saved && <Notice>{t('common.saved')}</Notice>}
          </div>
          <ErrorBanner error={card.error} inline />
        </>
      )}
    </ActionForm>
  );
}

/** One labelled text input of a card's form, bound to `card.form[name]`, with the server's complaint about it. */
export function TextField<F>({
  card,
  name,
  label,
  hint,
  ...input
}: { card: EditCard<F>; name: TextKey<F>; label: ReactNode; hint?: ReactNode } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'value' | 'onChange'>) {
  return (
    <Field label={label} error={card.errors[name]} hint={hint} htmlFor={name}>
      <input id={name} {...input} value={String(card.form?.[name] ?? '')} onChange={(e) => card.set({ [name]: e.target.value } as Partial<F>)} />
    </Field>
  );
}
