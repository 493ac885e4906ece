import { useCallback, useEffect, useRef, useState } from 'react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import type { Locale, Translate } from '../i18n';
import { localizeMessage, requestReference } from '../server-messages';

/**
 * What to tell a person about a failed request: what happened and what to do next, in their
 * language (the server's English messages are said in Russian, see server-messages.ts).
 * `inline`: the form already shows each field's complaint next to it, so the banner only says
 * to look there.
 */
export function describeError(error: unknown, t: Translate, locale: Locale, options: { inline?: boolean } = {}): string {
  if (!(error instanceof ApiError)) return t('error.unknown', { message: String((error as Error)?.message ?? error) });
  const say = (message: string) => localizeMessage(message, locale);
  if (error.status === 0) return t('error.network');
  if (error.code === 'csrf_token_invalid') return t('error.csrf');
  if (error.code === 'forbidden') return t('error.forbidden');
  if (error.code === 'version_conflict') return t('error.versionConflict');
  if (error.status === 404) return t('error.notFound');
  if (error.status >= 500) return t('error.server', { message: requestReference(error.message) });
  // The form shows each field's complaint next to it (a refused value, or an id another record holds).
  if (options.inline && error.details.length && (error.code === 'validation_failed' || error.status === 409)) return t('error.validation');
  if (error.code === 'validation_failed' && error.details.length) {
    return `${t('error.fields')} ${error.details.map((d) => `${d.path.replace(/^body\./, '')}: ${say(d.message)}`).join('; ')}`;
  }
  if (error.status === 409) {
    // A conflict about one field (an external id taken) names it; the field shows it too.
    const field = error.details[0];
    return t('error.conflict', { message: field && locale === 'ru' ? say(field.message) : say(error.message) });
  }
  return t('error.unknown', { message: say(error.message) });
}

/**
 * An action that cannot run twice at once (a double click, Enter pressed again while saving):
 * `run` does nothing while the previous run is still going; `pending` shows it.
 */
export function useAction(action: (() => unknown) | undefined): { pending: boolean; run(): Promise<void> } {
  const [pending, setPending] = useState(false);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    // Set on every mount: StrictMode mounts twice in development.
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = async () => {
    if (running.current || !action) return;
    running.current = true;
    setPending(true);
    try {
      await action();
    } finally {
      running.current = false;
      if (mounted.current) setPending(false);
    }
  };
  return { pending, run };
}

/**
 * A form whose Enter (in any of its inputs) runs `onSubmit` once, like its submit button does;
 * put a `<Button type="submit" pending={…}>` inside, with the `pending` this passes to `children`.
 */
export function ActionForm({ onSubmit, disabled, className, testId, children }: { onSubmit(): unknown; disabled?: boolean; className?: string; testId?: string; children(pending: boolean): ReactNode }) {
  const action = useAction(onSubmit);
  return (
    <form
      className={className}
      data-testid={testId}
      // The server checks the values and the form shows its complaints in the panel's language.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!disabled) void action.run();
      }}
    >
      {children(action.pending)}
    </form>
  );
}

/** A button that cannot be pressed twice while its action runs. */
export function Button({
  onClick,
  pending: pendingProp,
  pendingLabel,
  variant = 'secondary',
  children,
  disabled,
  type = 'button',
  ...rest
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick'> & {
  onClick?: () => unknown;
  pending?: boolean;
  pendingLabel?: string;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
}) {
  const action = useAction(onClick);
  const pending = pendingProp || action.pending;
  return (
    <button
      type={type}
      className={`btn btn-${variant}${pending ? ' is-pending' : ''}`}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      onClick={onClick ? () => void action.run() : undefined}
      {...rest}
    >
      {pending && <span className="spinner spinner-small" aria-hidden />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden /> {t('common.loading')}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function ErrorBanner({ error, onRetry, inline }: { error: unknown; onRetry?: () => void; inline?: boolean }) {
  const { t, locale } = useI18n();
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <span>{describeError(error, t, locale, { inline })}</span>
      {onRetry && (
        <button type="button" className="btn btn-link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Notice({ children, kind = 'success' }: { children: ReactNode; kind?: 'success' | 'info' | 'warning' }) {
  return (
    <div className={`alert alert-${kind}`} role="status">
      {children}
    </div>
  );
}

export function Field({ label, error, hint, children, htmlFor }: { label: ReactNode; error?: string | undefined; hint?: ReactNode; children: ReactNode; htmlFor?: string }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      <div className="field-control">
        {children}
        {hint && !error && <div className="field-hint">{hint}</div>}
        {error && <div className="field-error">{error}</div>}
      </div>
    </div>
  );
}

export function Toggle({ checked, onChange, label, disabled, testId }: { checked: boolean; onChange(value: boolean): void; label: ReactNode; disabled?: boolean; testId?: string }) {
  return (
    <label className={`toggle${disabled ? ' is-disabled' : ''}`} data-testid={testId}>
      <input type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <span className="toggle-track" aria-hidden>
        <span className="toggle-thumb" />
      </span>
      <span className="toggle-label">{label}</span>
    </label>
  );
}

/** A chip; `wrap` lets a long one (an order status in a table column) break onto a second line. */
export function Badge({ children, tone = 'neutral', wrap }: { children: ReactNode; tone?: 'neutral' | 'success' | 'warning' | 'danger' | 'info'; wrap?: boolean }) {
  return <span className={`badge badge-${tone}${wrap ? ' badge-wrap' : ''}`}>{children}</span>;
}

export function Dl({ rows }: { rows: Array<[ReactNode, ReactNode] | false | null | undefined | 0 | ''> }) {
  return (
    <dl className="dl">
      {rows.filter(Boolean).map((row, i) => {
        const [term, value] = row as [ReactNode, ReactNode];
        return (
          <div className="dl-row" key={i}>
            <dt>{term}</dt>
            <dd>{value ?? '—'}</dd>
          </div>
        );
      })}
    </dl>
  );
}

/** Loads data for a page; `reload` runs it again (after a change, or «Повторить»). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload(): Promise<void>; setData(value: T): void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await run();
      if (mine === generation.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const setData = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, setData };
}

export function PageHeader({ title, crumbs, actions }: { title: ReactNode; crumbs?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {crumbs && <div className="crumbs">{crumbs}</div>}
        <h1>{title}</h1>
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
