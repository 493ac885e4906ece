import { useEffect, useRef, useState } from 'react';
import { api, query } from '../api';
import { loadPerson, personName } from '../data';
import { useI18n } from '../i18n';
import type { Page, Person } from '../types';

/** Picks a person by typing part of a name, phone or e-mail; shows the chosen one's name. */
export function ClientPicker({ value, onChange }: { value: number | null; onChange(id: number | null): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<Person[]>([]);
  const [open, setOpen] = useState(false);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (value === null) return setText('');
    void loadPerson(value).then((p) => setText(personName(p, `#${value}`)));
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
      api<Page<Person>>('GET', `/persons${query({ search: next.trim(), limit: 8 })}`)
        .then((page) => {
          setOptions(page.items);
          setOpen(true);
        })
        .catch(() => setOptions([]));
    }, 250);
  };

  return (
    <div className="picker">
      <input
        value={text}
        aria-label={t('orders.filter.client')}
        placeholder={t('orders.filter.clientPlaceholder')}
        onChange={(e) => search(e.target.value)}
        onFocus={() => options.length && setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
        data-testid="filter-client"
      />
      {value !== null && (
        <button type="button" className="picker-clear" aria-label={t('common.clear')} onClick={() => onChange(null)}>
          ×
        </button>
      )}
      {open && options.length > 0 && (
        <ul className="picker-menu" role="listbox">
          {options.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  onChange(person.id);
                  setOpen(false);
                }}
              >
                <strong>{personName(person, `#${person.id}`)}</strong>
                <span className="muted small">{[person.phones[0]?.e164, person.emails[0]].filter(Boolean).join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
