import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from '../api';
import { describeError } from '../components/ui';
import { useI18n } from '../i18n';
import type { Locale } from '../i18n';
import type { Session } from '../types';

export function LoginPage({ onLoggedIn, expired }: { onLoggedIn(session: Session): void; expired: boolean }) {
  const { t, locale, setLocale } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      onLoggedIn(await api<Session>('POST', '/session', { login: login.trim(), password }, { quiet401: true }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_credentials') setError(t('login.invalid'));
      else if (e instanceof ApiError && e.code === 'too_many_attempts') setError(t('login.throttled', { seconds: e.retryAfter ?? 1 }));
      else if (e instanceof ApiError && e.code === 'validation_failed') setError(t('login.invalid'));
      else setError(describeError(e, t, locale));
      setPending(false);
    }
  };

  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={(e) => void submit(e)} noValidate>
        <div className="brand brand-login">
          <span className="brand-mark" aria-hidden />
          <span>{t('app.name')}</span>
        </div>
        <p className="muted">{t('app.tagline')}</p>
        <h1>{t('login.title')}</h1>
        {expired && !error && <div className="alert alert-info">{t('login.expired')}</div>}
        {error && (
          <div className="alert alert-error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <label className="stack-label" htmlFor="login">
          {t('login.login')}
        </label>
        <input id="login" name="login" autoComplete="username" autoFocus value={login} onChange={(e) => setLogin(e.target.value)} required />
        <label className="stack-label" htmlFor="password">
          {t('login.password')}
        </label>
        <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" className="btn btn-primary btn-block" disabled={pending || !login || !password}>
          {pending ? t('login.submitting') : t('login.submit')}
        </button>
        <div className="login-footer">
          <select aria-label={t('lang.switch')} value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            <option value="ru">{t('lang.ru')}</option>
            <option value="en">{t('lang.en')}</option>
          </select>
          <span className="muted small">{t('login.hint')}</span>
        </div>
      </form>
    </div>
  );
}
