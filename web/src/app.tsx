import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api';
import { Loading } from './components/ui';
import { useI18n } from './i18n';
import type { Locale } from './i18n';
import { CatalogPage } from './pages/catalog';
import { HealthPage } from './pages/health';
import { IntegrationsPage } from './pages/integrations';
import { LoginPage } from './pages/login';
import { OrderPage } from './pages/order';
import { NewOrderPage } from './pages/order-new';
import { OrdersPage } from './pages/orders';
import { OrganizationPage, OrganizationsPage } from './pages/organizations';
import { PersonPage, PersonsPage } from './pages/persons';
import { Link, matchPath, navigate, useLocation } from './router';
import { SessionContext } from './session';
import type { Session } from './types';

type Route = { pattern: string; render(params: Record<string, string>): ReactNode };

const ROUTES: Route[] = [
  { pattern: '/orders', render: () => <OrdersPage /> },
  { pattern: '/orders/new', render: () => <NewOrderPage /> },
  { pattern: '/orders/:id', render: (p) => <OrderPage id={Number(p.id)} /> },
  { pattern: '/clients/persons', render: () => <PersonsPage /> },
  { pattern: '/clients/persons/:id', render: (p) => <PersonPage id={Number(p.id)} /> },
  { pattern: '/clients/organizations', render: () => <OrganizationsPage /> },
  { pattern: '/clients/organizations/:id', render: (p) => <OrganizationPage id={Number(p.id)} /> },
  { pattern: '/print/products', render: () => <CatalogPage /> },
  { pattern: '/settings/export', render: () => <IntegrationsPage /> },
  // Not /health: that is the server's own liveness check, so a reload there showed {"ok":true}.
  { pattern: '/sync', render: () => <HealthPage /> },
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const adopt = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setExpired(true);
      adopt(null);
    });
    api<Session>('GET', '/session', undefined, { quiet401: true })
      .then(adopt)
      .catch((error: unknown) => (error instanceof ApiError && (error.status === 401 || error.status === 404) ? adopt(null) : adopt(null)));
    return () => setUnauthorizedHandler(null);
  }, [adopt]);

  const logout = useCallback(async () => {
    try {
      await api('DELETE', '/session');
    } finally {
      setExpired(false);
      adopt(null);
      navigate('/', { replace: true });
    }
  }, [adopt]);

  if (session === undefined) return <Loading />;
  if (!session)
    return (
      <LoginPage
        expired={expired}
        onLoggedIn={(next) => {
          setExpired(false);
          adopt(next);
        }}
      />
    );
  return (
    <SessionContext.Provider value={{ session, logout }}>
      <Layout />
    </SessionContext.Provider>
  );
}

function Layout() {
  const { path } = useLocation();
  const { t, locale, setLocale } = useI18n();
  const [navOpen, setNavOpen] = useState(false);

  useEffect(() => {
    if (path === '/' || path === '') navigate('/orders', { replace: true });
    setNavOpen(false);
  }, [path]);

  let page: ReactNode = null;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) {
      page = route.render(params);
      break;
    }
  }

  const nav: Array<{ group?: string; to: string; label: string; match: string }> = [
    { to: '/orders', label: t('nav.orders'), match: '/orders' },
    { group: t('nav.clients'), to: '/clients/persons', label: t('nav.persons'), match: '/clients/persons' },
    { to: '/clients/organizations', label: t('nav.organizations'), match: '/clients/organizations' },
    { group: t('nav.print'), to: '/print/products', label: t('nav.products'), match: '/print' },
    { group: t('nav.settings'), to: '/settings/export', label: t('nav.export'), match: '/settings' },
    { to: '/sync', label: t('nav.health'), match: '/sync' },
  ];

  return (
    <div className="shell">
      <aside className={`sidebar${navOpen ? ' is-open' : ''}`}>
        <div className="brand">
          <span className="brand-mark" aria-hidden />
          <span>{t('app.name')}</span>
          <button type="button" className="nav-toggle" aria-label={t('nav.menu')} aria-expanded={navOpen} onClick={() => setNavOpen((v) => !v)}>
            ☰
          </button>
        </div>
        <nav className="nav">
          {nav.map((item) => (
            <div key={item.to}>
              {item.group && <div className="nav-group">{item.group}</div>}
              <Link to={item.to} className={`nav-link${path.startsWith(item.match) ? ' is-active' : ''}`}>
                {item.label}
              </Link>
            </div>
          ))}
        </nav>
        <UserBox locale={locale} setLocale={setLocale} />
      </aside>
      <main className="main">{page ?? <NotFound />}</main>
    </div>
  );
}

function UserBox({ locale, setLocale }: { locale: Locale; setLocale(l: Locale): void }) {
  const { t } = useI18n();
  return (
    <SessionContext.Consumer>
      {(value) => (
        <div className="userbox">
          <div className="userbox-name" data-testid="current-user">
            {value?.session.user.displayName}
          </div>
          {value && (
            <div className="userbox-role" data-testid="current-role">
              {t(`role.${value.session.user.role}`)}
            </div>
          )}
          <div className="userbox-row">
            <select aria-label={t('lang.switch')} value={locale} onChange={(e) => setLocale(e.target.value as Locale)} data-testid="locale">
              <option value="ru">{t('lang.ru')}</option>
              <option value="en">{t('lang.en')}</option>
            </select>
            <button type="button" className="btn btn-link" onClick={() => void value?.logout()} data-testid="logout">
              {t('nav.logout')}
            </button>
          </div>
        </div>
      )}
    </SessionContext.Consumer>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="empty">
      {t('error.notFound')} <Link to="/orders">{t('nav.orders')}</Link>
    </div>
  );
}
