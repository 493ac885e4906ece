import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api, query } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import type { Page } from '../types';
import { Empty, ErrorBanner, Loading, useLoad } from './ui';

/** The parts of a list page («Заказы», «Частные лица», «Организации»): loading a page, its states, paging. */

type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** Cursor pagination as pages: remembers the cursors seen so «Назад» works. */
function useCursorPages(resetKey: string) {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  useEffect(() => setCursors([undefined]), [resetKey]);
  const page = cursors.length;
  return {
    page,
    cursor: cursors[cursors.length - 1],
    next(cursor: string) {
      setCursors((c) => [...c, cursor]);
    },
    prev() {
      setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c));
    },
  };
}

/**
 * One page of `GET path?params` at a time, newest first; a change of `params` starts again at
 * page 1. `pager` goes to `<Pager>`, the rest to `<ListState>`.
 */
export function usePagedList<T>(path: string, params: QueryParams, pageSize: number) {
  const filterKey = `${path}${query(params)}`;
  const pages = useCursorPages(filterKey);
  const list = useLoad(() => api<Page<T>>('GET', `${path}${query({ ...params, limit: pageSize, cursor: pages.cursor })}`), [filterKey, pages.cursor]);
  const nextCursor = list.data?.nextCursor;
  return {
    ...list,
    items: list.data?.items ?? [],
    pager: {
      page: pages.page,
      hasNext: Boolean(nextCursor),
      onPrev: pages.prev,
      onNext: () => {
        if (nextCursor) pages.next(nextCursor);
      },
    },
  };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

/** The error (with «Повторить»), a spinner on the first load, `empty` when nothing matched, else the table. */
export function ListState({ list, empty, children }: { list: PagedList<unknown>; empty: ReactNode; children: ReactNode }) {
  return (
    <>
      <ErrorBanner error={list.error} onRetry={() => void list.reload()} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty>{empty}</Empty>
      ) : (
        <div className={`card table-card${list.loading ? ' is-loading' : ''}`}>{children}</div>
      )}
    </>
  );
}

export function Pager({ page, hasNext, onPrev, onNext }: PagedList<unknown>['pager']) {
  const { t } = useI18n();
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={t('common.pagination')}>
      <button type="button" className="btn btn-secondary" disabled={page <= 1} onClick={onPrev}>
        {t('common.prev')}
      </button>
      <span className="pager-page">{t('common.page', { n: page })}</span>
      <button type="button" className="btn btn-secondary" disabled={!hasNext} onClick={onNext}>
        {t('common.next')}
      </button>
    </nav>
  );
}

/** The search box of a list's filters: `onSearch` gets the trimmed text when «Найти» is pressed. */
export function SearchForm({ value, onChange, onSearch, placeholder, testId }: { value: string; onChange(text: string): void; onSearch(text: string): void; placeholder: string; testId?: string }) {
  const { t } = useI18n();
  return (
    <form
      className="filter-search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(value.trim());
      }}
    >
      <input type="search" aria-label={placeholder} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      <button type="submit" className="btn btn-secondary">
        {t('common.search')}
      </button>
    </form>
  );
}

/** A row that opens `to` when clicked anywhere; its first cell is a real link (keyboard, new tab). */
export function LinkRow({ to, title, below, children }: { to: string; title: ReactNode; below?: ReactNode; children: ReactNode }) {
  return (
    <tr className="row-link" onClick={() => navigate(to)}>
      <td>
        <Link to={to} onClick={(e) => e.stopPropagation()} className="strong">
          {title}
        </Link>
        {below}
      </td>
      {children}
    </tr>
  );
}
