import { useEffect, useRef, useState } from 'react';
import { api, query } from '../api';
import { loadPerson, personName } from '../data';
import { useI18n } from '../i18n';
import type { Organization, Page, Person } from '../types';

export interface PickerChoice {
  id: number;
  title: string;
  details: string;
}

const KINDS = {
  person: {
    search: (text: string) =>
      api<Page<Person>>('GET', `/persons${query({ search: text, limit: 8 })}`).then((page) =>
        page.items.map((p): PickerChoice => ({ id: p.id, title: personName(p, `#${p.id}`), details: [p.phones[0]?.e164, p.emails[0]].filter(Boolean).join(' · ') })),
      ),
    title: (id: number) => loadPerson(id).then((p) => personName(p, `#${id}`)),
  },
  organization: {
    search: (text: string) =>
      api<Page<Organization>>('GET', `/organizations${query({ search: text, limit: 8 })}`).then((page) =>
        page.items.map((o): PickerChoice => ({ id: o.id, title: o.title, details: [o.inn, o.kpp].filter(Boolean).join(' / ') })),
      ),
    title: (id: number) =>
      api<Organization>('GET', `/organizations/${id}`).then(
        (o) => o.title,
        () => `#${id}`,
      ),
  },
} as const;

/**
 * Picks a client by typing: a person by part of a name, phone or e-mail (the default), or an
 * organization by part of its title, INN or KPP; shows the chosen one's name.
 */
export function ClientPicker({
  kind = 'person',
  ...rest
}: {
  value: number | null;
  onChange(id: number | null): void;
  kind?: keyof typeof KINDS;
  label?: string;
  placeholder?: string;
  testId?: string;
}) {
  return <SearchPicker {...rest} search={KINDS[kind].search} title={KINDS[kind].title} />;
}

/** Picks one record by typing part of it: `search` offers the choices, `title` names the chosen one. */
export function SearchPicker({
  value,
  onChange,
  search: find,
  title,
  label,
  placeholder,
  testId = 'filter-client',
}: {
  value: number | null;
  onChange(id: number | null): void;
  search(text: string): Promise<PickerChoice[]>;
  title(id: number): Promise<string>;
  label?: string;
  placeholder?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<PickerChoice[]>([]);
  const [open, setOpen] = useState(false);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (value === null) return setText('');
    void title(value).then(setText);
  }, [value]);

  const search = (next: string) => {
    setText(next);
    window.clearTimeout(timer.current);
    if (!next.trim()) {
      setOptions([]);
      if (value !== null) onChange(null);
      return;
    }
    timer.current = window.setTimeout(() => {
      find(next.trim())
        .then((found) => {
          setOptions(found);
          setOpen(true);
        })
        .catch(() => setOptions([]));
    }, 250);
  };

  return (
    <div className="picker">
      <input
        value={text}
        aria-label={label ?? t('orders.filter.client')}
        placeholder={placeholder ?? t('orders.filter.clientPlaceholder')}
        onChange={(e) => search(e.target.value)}
        onFocus={() => options.length && setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
        data-testid={testId}
      />
      {value !== null && (
        <button type="button" className="picker-clear" aria-label={t('common.clear')} onClick={() => onChange(null)}>
          ×
        </button>
      )}
      {open && options.length > 0 && (
        <ul className="picker-menu" role="listbox">
          {options.map((option) => (
            <li key={option.id}>
              <button
                type="button"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  onChange(option.id);
                  setOpen(false);
                }}
              >
                <strong>{option.title}</strong>
                <span className="muted small">{option.details}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
