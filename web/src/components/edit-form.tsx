import type { InputHTMLAttributes, ReactNode } from 'react';
import type { EditCard } from '../hooks/use-edit-card';
import { useI18n } from '../i18n';
import { Button, ErrorBanner, Field, Notice } from './ui';

/** The form fields of `F` that hold text. */
type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/**
 * A card's edit form (see `useEditCard`): the fields, then «Сохранить» with «Сохранено» beside it,
 * then what went wrong.
 */
export function EditForm<F>({ card, children, disabled, saveTestId }: { card: EditCard<F>; children: ReactNode; disabled?: boolean; saveTestId?: string }) {
  const { t } = useI18n();
  return (
    <form className="form" onSubmit={(e) => e.preventDefault()}>
      {children}
      <div className="form-actions">
        <Button variant="primary" onClick={card.save} pendingLabel={t('common.saving')} disabled={disabled} data-testid={saveTestId}>
          {t('common.save')}
        </Button>
        {card.saved && <Notice>{t('common.saved')}</Notice>}
      </div>
      <ErrorBanner error={card.error} inline />
    </form>
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
