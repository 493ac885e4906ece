import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { useI18n } from '../i18n';
import type { Locale } from '../i18n';
import { localizeMessage } from '../server-messages';

/** Field errors from the API (`body.phones[1]`) → the form field they belong to, in the panel's language. */
export function fieldErrors<F>(error: unknown, map: Record<string, keyof F & string>, locale: Locale): Partial<Record<keyof F & string, string>> {
  if (!(error instanceof ApiError)) return {};
  const result: Partial<Record<keyof F & string, string>> = {};
  for (const d of error.details) {
    const path = d.path.replace(/^body\./, '');
    const prefix = Object.keys(map).find((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    if (!prefix) continue;
    const field = map[prefix]!;
    const message = localizeMessage(d.message, locale);
    result[field] = result[field] ? `${result[field]}; ${message}` : message;
  }
  return result;
}

/** What a card's form needs from the page's `useLoad` of the record it edits. */
export interface LoadedRecord<T> {
  data: T | undefined;
  reload(): Promise<void>;
  setData(value: T): void;
}

export interface EditCard<F> {
  /** The typed values; null until the record has loaded. */
  form: F | null;
  /** An edit: also hides «Сохранено» until the next save. */
  set(patch: Partial<F>): void;
  /** The server's complaints per form field (`details[].path` mapped by `errorFields`). */
  errors: Partial<Record<keyof F & string, string>>;
  /** The last failed save, for `<ErrorBanner>`. */
  error: unknown;
  /** The last save succeeded and nothing was edited since. */
  saved: boolean;
  save(): Promise<void>;
}

/**
 * The edit form of a record's card (a person, an organization): the form follows the loaded
 * record, a save PATCHes `path` with the record's `version`, puts the answer in place of the
 * record and says «Сохранено»; a refused save keeps what was typed and names the fields, and a
 * stale version reloads the record (the banner says someone else changed it).
 */
export function useEditCard<T extends { version: number }, F>(
  record: LoadedRecord<T>,
  options: {
    path: string;
    formOf(value: T): F;
    bodyOf(form: F): Record<string, unknown>;
    /** API field (path prefix after `body.`) → the form field that shows its error. */
    errorFields: Record<string, keyof F & string>;
    /** Before the saved record replaces the loaded one (e.g. forget a cached copy). */
    onSaved?(updated: T): void;
  },
): EditCard<F> {
  const { locale } = useI18n();
  const [form, setForm] = useState<F | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  // What the form was last filled from, and whether the next record replaces what was typed.
  const baseline = useRef<F | null>(null);
  const replaceNext = useRef(true);
  const loadedPath = useRef(options.path);

  useEffect(() => {
    if (!record.data) return;
    const fresh = options.formOf(record.data);
    const previous = baseline.current;
    baseline.current = fresh;
    // Another record (the page was reused for the next client) starts from its own values.
    if (loadedPath.current !== options.path) {
      loadedPath.current = options.path;
      replaceNext.current = true;
    }
    if (replaceNext.current || !previous) {
      replaceNext.current = false;
      setForm(fresh);
      return;
    }
    // Another part of the page changed the record (its ids in another system): take the new
    // values of the fields left as they were, keep what was typed in the others.
    setForm((current) => (current ? mergeEdits(current, previous, fresh) : fresh));
  }, [record.data]);

  const set = (patch: Partial<F>) => {
    setSaved(false);
    if (form) setForm({ ...form, ...patch });
  };

  const save = async () => {
    const current = record.data;
    if (!current || !form) return;
    setError(null);
    setSaved(false);
    try {
      const updated = await api<T>('PATCH', options.path, { version: current.version, ...options.bodyOf(form) });
      options.onSaved?.(updated);
      // The form shows what the server stored (a phone as it normalised it).
      replaceNext.current = true;
      record.setData(updated);
      setSaved(true);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'version_conflict') {
        // The banner says to make the change again on the fresh version.
        replaceNext.current = true;
        void record.reload();
      }
    }
  };

  return { form, set, errors: fieldErrors<F>(error, options.errorFields, locale), error, saved, save };
}

/** Per field: the fresh value where the form still held the previous one, else what was typed. */
function mergeEdits<F>(current: F, previous: F, fresh: F): F {
  const merged = { ...fresh };
  for (const key of Object.keys(fresh as object) as Array<keyof F>) {
    if (JSON.stringify(current[key]) !== JSON.stringify(previous[key])) merged[key] = current[key];
  }
  return merged;
}
