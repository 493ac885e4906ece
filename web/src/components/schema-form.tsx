import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, query } from '../api';
import type { Locale, Translate } from '../i18n';
import { localizeMessage } from '../server-messages';
import type { PanelSettingsSection } from '../types';
import { describeError } from './ui';
import { CopyField } from './copy-field';

/**
 * A settings form drawn from the integration's JSON Schema (what `z.toJSONSchema` produces on the
 * server), so an integration gets its form by declaring its schema: labels come from each
 * property's `title` (or `description`), hints from `description`, secrets from `x-secret`.
 * Strings, numbers, booleans, enums, nested objects and arrays of objects (mapping tables) are
 * supported; anything else is edited as JSON text. A field with `x-options` is a list filled live
 * by the integration (`GET /integrations/<name>/<route>?<param>=<another field's value>`), and
 * the integration's `sections` group some top-level fields under a heading after the others.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  'x-secret'?: boolean;
  'x-labels'?: Record<string, string>;
  'x-options'?: LiveOptionsSpec;
  [key: string]: unknown;
}

/** `{ route: 'stages', params: { categoryId: 'categoryId' } }`: query parameter → top-level field whose value it takes. */
export interface LiveOptionsSpec {
  route: string;
  params?: Record<string, string>;
}

export type FormValue = Record<string, unknown>;

interface Props {
  schema: JsonSchema;
  value: FormValue;
  onChange(value: FormValue): void;
  /** Field path (`portalUrl`, `statusMap[2].stage`) → message. */
  errors: Record<string, string>;
  secrets: Record<string, { hasValue: boolean; masked: string | null }>;
  t: Translate;
  locale: Locale;
  disabled?: boolean;
  idPrefix: string;
  /** The integration's name: live option lists are its routes. */
  integration?: string;
  /** Subsections of the form (the integration's `settingsSections`), drawn after the other fields. */
  sections?: readonly PanelSettingsSection[];
  /** Changes when the settings are saved: live lists load again (a route may need the saved settings). */
  optionsKey?: string | number;
}

/** What a field gets besides its own schema and value: the whole form (live lists read other fields). */
type FieldProps = Omit<Props, 'value' | 'onChange' | 'schema' | 'sections'> & { root: FormValue };

/** A nullable or optional field's schema without its `null` branch. */
export function plain(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const nonNull = branches.filter((b) => b.type !== 'null');
    if (nonNull.length === 1) {
      // The server marks the property, not its branch: a nullable secret must stay a secret.
      const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = schema;
      return { ...nonNull[0], ...Object.fromEntries(Object.entries(outer).filter(([, v]) => v !== undefined)) };
    }
    if (nonNull.every((b) => b.const !== undefined)) {
      // `z.union([z.literal('all').meta({ title: 'Все заказы' }), …])`: the titles label the options.
      const labels = Object.fromEntries(nonNull.filter((b) => b.title).map((b) => [String(b.const), b.title!]));
      return { ...schema, type: 'string', enum: nonNull.map((b) => b.const), 'x-labels': { ...labels, ...schema['x-labels'] } };
    }
  }
  if (Array.isArray(schema.type)) return { ...schema, type: schema.type.find((t) => t !== 'null') };
  return schema;
}

function labelOf(name: string, schema: JsonSchema): string {
  return schema.title ?? (schema.description && schema.description.length <= 80 ? schema.description : undefined) ?? name;
}

function hintOf(schema: JsonSchema): string | undefined {
  return schema.title && schema.description ? schema.description : undefined;
}

export function SchemaForm(props: Props) {
  const { schema, value, onChange, sections = [], locale, ...rest } = props;
  const properties = plain(schema).properties ?? {};
  const required = new Set(plain(schema).required ?? []);
  const inSection = new Set(sections.flatMap((section) => section.fields));
  const render = (name: string) => {
    const property = properties[name];
    if (!property) return null;
    return (
      <PropertyField
        key={name}
        {...rest}
        locale={locale}
        root={value}
        name={name}
        path={name}
        schema={property}
        required={required.has(name)}
        value={value[name]}
        onValue={(v) => onChange({ ...value, [name]: v })}
      />
    );
  };
  return (
    <div className="form schema-form">
      {/* The integration's own word on how it is set up (e.g. «обратитесь к поставщику»), when it has one. */}
      {schema.description && <div className="alert alert-info">{schema.description}</div>}
      {Object.keys(properties).length === 0 && <p className="muted">{props.t('integrations.noFields')}</p>}
      {Object.keys(properties)
        .filter((name) => !inSection.has(name))
        .map(render)}
      {sections.map((section) => {
        const fields = section.fields.filter((name) => properties[name]);
        const copyFields = section.copyFields ?? [];
        if (!fields.length && !copyFields.length) return null;
        return (
          <section key={section.id} className="settings-section" data-testid={`settings-section-${props.idPrefix}-${section.id}`}>
            <h3 className="settings-section-title">{section.title[locale]}</h3>
            {section.description && <p className="settings-section-description">{section.description[locale]}</p>}
            {copyFields.map((field) => (
              <CopyField key={field.id} field={field} idPrefix={props.idPrefix} />
            ))}
            {fields.map(render)}
          </section>
        );
      })}
    </div>
  );
}

function PropertyField(
  props: FieldProps & {
    name: string;
    path: string;
    schema: JsonSchema;
    required: boolean;
    value: unknown;
    onValue(v: unknown): void;
    /** A cell of a mapping table: the column heading shows the label, so it is only read out. */
    inCell?: boolean;
  },
) {
  const { name, path, required, value, onValue, errors, secrets, t, disabled, idPrefix, inCell } = props;
  const schema = plain(props.schema);
  const id = `${idPrefix}-${path.replace(/[^\w-]/g, '_')}`;
  const label = labelOf(name, schema);
  const error = errors[path] ?? nestedErrors(errors, path);
  const field = (control: ReactNode, hint?: string) => (
    <div className={`field${inCell ? ' field-cell' : ''}${error ? ' has-error' : ''}`} data-field={path}>
      <label htmlFor={id} className={inCell ? 'visually-hidden' : undefined}>
        {label}
        {required && <span className="required" aria-hidden> *</span>}
      </label>
      <div className="field-control">
        {control}
        {hint && !error && <div className="field-hint">{hint}</div>}
        {error && (
          <div className="field-error" data-testid={`error-${path}`}>
            {error}
          </div>
        )}
      </div>
    </div>
  );

  if (schema.type === 'boolean') {
    return (
      <div className={`field field-check${error ? ' has-error' : ''}`} data-field={path}>
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => onValue(e.target.checked)} />{' '}
          <span className={inCell ? 'visually-hidden' : undefined}>{label}</span>
        </label>
        {error && <div className="field-error">{error}</div>}
      </div>
    );
  }

  const live = liveOptionsOf(schema['x-options']);
  if (live && props.integration) {
    return field(
      <LiveSelect
        id={id}
        path={path}
        integration={props.integration}
        spec={live}
        root={props.root}
        value={value}
        onValue={onValue}
        empty={allowsNull(props.schema) ? null : undefined}
        disabled={disabled}
        optionsKey={props.optionsKey}
        t={t}
        locale={props.locale}
      />,
      hintOf(schema),
    );
  }

  if (schema.enum) {
    const labels = schema['x-labels'] ?? {};
    return field(
      <select id={id} value={value === undefined || value === null ? '' : String(value)} disabled={disabled} onChange={(e) => onValue(e.target.value === '' ? null : coerce(e.target.value, schema.enum!))}>
        {!required && <option value="">—</option>}
        {required && value === undefined && <option value="">—</option>}
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {labels[String(option)] ?? String(option)}
          </option>
        ))}
      </select>,
      hintOf(schema),
    );
  }

  if (schema.type === 'integer' || schema.type === 'number') {
    return field(
      <input
        id={id}
        type="number"
        inputMode="numeric"
        className="input-short"
        value={value === undefined || value === null ? '' : String(value)}
        min={schema.minimum}
        max={schema.maximum}
        step={schema.type === 'integer' ? 1 : 'any'}
        disabled={disabled}
        onChange={(e) => onValue(e.target.value === '' ? null : Number(e.target.value))}
      />,
      hintOf(schema),
    );
  }

  if (schema.type === 'string' || (!schema.type && !schema.properties && !schema.items)) {
    const secret = schema['x-secret'] === true;
    const state = secrets[name];
    return field(
      <input
        id={id}
        type={secret ? 'password' : schema.format === 'email' ? 'email' : schema.format === 'uri' ? 'url' : 'text'}
        autoComplete={secret ? 'new-password' : 'off'}
        value={typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)}
        placeholder={schema.format === 'uri' ? 'https://' : undefined}
        maxLength={schema.maxLength}
        disabled={disabled}
        onFocus={(e) => secret && state?.hasValue && value === state.masked && e.target.select()}
        onChange={(e) => onValue(e.target.value)}
      />,
      secret && state?.hasValue ? t(disabled ? 'integrations.secretStored' : 'integrations.secretKept') : hintOf(schema),
    );
  }

  if (schema.type === 'object' && schema.properties) {
    const object = (value ?? {}) as FormValue;
    const req = new Set(schema.required ?? []);
    return (
      <fieldset className="fieldset" data-field={path}>
        <legend>{label}</legend>
        {Object.entries(schema.properties).map(([child, childSchema]) => (
          <PropertyField
            key={child}
            {...props}
            name={child}
            path={`${path}.${child}`}
            schema={childSchema}
            required={req.has(child)}
            value={object[child]}
            onValue={(v) => onValue({ ...object, [child]: v })}
          />
        ))}
      </fieldset>
    );
  }

  if (schema.type === 'array' && schema.items && plain(schema.items).type === 'object' && plain(schema.items).properties) {
    return <ArrayTable {...props} schema={schema} label={label} id={id} error={error} />;
  }

  // Anything the form cannot draw is still editable, as JSON.
  return field(
    <textarea
      id={id}
      rows={4}
      className="mono"
      defaultValue={JSON.stringify(value ?? null, null, 2)}
      disabled={disabled}
      onBlur={(e) => {
        try {
          onValue(JSON.parse(e.target.value));
        } catch {
          // keep the last valid value; the server names the problem on save
        }
      }}
    />,
    hintOf(schema),
  );
}

function ArrayTable(
  props: FieldProps & { name: string; path: string; schema: JsonSchema; value: unknown; onValue(v: unknown): void; label: string; id: string; error?: string | undefined },
) {
  const { schema, value, onValue, path, label, error, t, disabled } = props;
  const rows = Array.isArray(value) ? (value as FormValue[]) : [];
  const item = plain(schema.items!);
  const columns = Object.entries(item.properties ?? {});
  const req = new Set(item.required ?? []);
  return (
    <div className={`field field-wide${error ? ' has-error' : ''}`} data-field={path}>
      <div className="field-title">{label}</div>
      <table className="table table-compact">
        <thead>
          <tr>
            {columns.map(([col, colSchema]) => (
              <th key={col}>{labelOf(col, plain(colSchema))}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map(([col, colSchema]) => (
                <td key={col}>
                  <PropertyField
                    {...props}
                    name={col}
                    path={`${path}[${index}].${col}`}
                    schema={{ ...colSchema, title: labelOf(col, plain(colSchema)) }}
                    inCell
                    required={req.has(col)}
                    value={row[col]}
                    onValue={(v) => onValue(rows.map((r, i) => (i === index ? { ...r, [col]: v } : r)))}
                  />
                </td>
              ))}
              <td>
                <button type="button" className="btn btn-link" disabled={disabled} onClick={() => onValue(rows.filter((_, i) => i !== index))}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn btn-secondary" disabled={disabled} onClick={() => onValue([...rows, {}])}>
        {t('common.add')}
      </button>
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}

function coerce(text: string, options: unknown[]): unknown {
  return options.find((o) => String(o) === text) ?? text;
}

/** Errors under a path that has no field of its own (e.g. `statusMap` as a whole). */
function nestedErrors(errors: Record<string, string>, path: string): string | undefined {
  const own = Object.entries(errors).filter(([p]) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
  return own.length && !own.some(([p]) => /\[\d+\]\./.test(p)) ? own.map(([p, m]) => `${p}: ${m}`).join('; ') : undefined;
}

function liveOptionsOf(spec: unknown): LiveOptionsSpec | null {
  if (!spec || typeof spec !== 'object') return null;
  const { route, params } = spec as { route?: unknown; params?: unknown };
  if (typeof route !== 'string' || !route) return null;
  const named = params && typeof params === 'object' ? Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string') : [];
  return { route, params: Object.fromEntries(named) };
}

/** Whether the field takes null (then a cleared choice is sent as null, else left out). */
function allowsNull(schema: JsonSchema): boolean {
  const branches = schema.anyOf ?? schema.oneOf ?? [];
  return branches.some((b) => b.type === 'null') || (Array.isArray(schema.type) && schema.type.includes('null'));
}

interface LiveOption {
  value: string | number;
  label: string;
}

/**
 * Options of one URL: the rows of a mapping table share one request; a list is asked again after
 * a while (the other system changes), and a failed one at the next change.
 */
const optionLists = new Map<string, { at: number; items: Promise<LiveOption[]> }>();
const OPTIONS_TTL_MS = 15_000;

function loadOptions(path: string, key: string): Promise<LiveOption[]> {
  const cacheKey = `${key}|${path}`;
  const known = optionLists.get(cacheKey);
  if (known && Date.now() - known.at < OPTIONS_TTL_MS) return known.items;
  const items = api<{ items: LiveOption[] }>('GET', path).then((body) => (Array.isArray(body?.items) ? body.items : []));
  optionLists.set(cacheKey, { at: Date.now(), items });
  items.catch(() => optionLists.delete(cacheKey));
  return items;
}

/**
 * A list whose options the integration reads from its system (funnel stages of the chosen
 * funnel): reloaded when a field it depends on changes. When the list cannot be had (settings
 * not saved yet, the system down) it says why, and the field keeps its value.
 */
function LiveSelect({
  id,
  path,
  integration,
  spec,
  root,
  value,
  onValue,
  empty,
  disabled,
  optionsKey,
  t,
  locale,
}: {
  id: string;
  path: string;
  integration: string;
  spec: LiveOptionsSpec;
  root: FormValue;
  value: unknown;
  onValue(v: unknown): void;
  empty: null | undefined;
  disabled: boolean | undefined;
  optionsKey: string | number | undefined;
  t: Translate;
  locale: Locale;
}) {
  const params = Object.fromEntries(
    Object.entries(spec.params ?? {}).map(([param, field]) => {
      const v = root[field];
      return [param, typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined];
    }),
  );
  const url = `/integrations/${encodeURIComponent(integration)}/${spec.route.replace(/^\/+/, '')}${query(params)}`;
  const [state, setState] = useState<{ url: string | null; items: LiveOption[]; error: unknown }>({ url: null, items: [], error: null });

  useEffect(() => {
    let current = true;
    // Typing in a field the list depends on asks once the typing pauses.
    const timer = setTimeout(() => {
      loadOptions(url, String(optionsKey ?? '')).then(
        (items) => current && setState({ url, items, error: null }),
        (error: unknown) => current && setState({ url, items: [], error }),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [url, optionsKey]);

  const loading = state.url !== url;
  const items = [...state.items];
  const chosen = value === undefined || value === null || value === '' ? null : value;
  // The saved value stays choosable even when the list does not have it (or could not be read).
  if (chosen !== null && !items.some((o) => String(o.value) === String(chosen))) items.unshift({ value: chosen as string | number, label: String(chosen) });

  return (
    <>
      <select
        id={id}
        value={chosen === null ? '' : String(chosen)}
        disabled={disabled}
        aria-busy={loading || undefined}
        data-testid={`options-${path}`}
        onChange={(e) => onValue(e.target.value === '' ? empty : (items.find((o) => String(o.value) === e.target.value)?.value ?? e.target.value))}
      >
        <option value="">{loading ? t('integrations.optionsLoading') : '—'}</option>
        {items.map((option) => (
          <option key={String(option.value)} value={String(option.value)}>
            {option.label}
          </option>
        ))}
      </select>
      {!loading && state.error ? (
        <div className="field-warning" data-testid={`options-error-${path}`}>
          {t('integrations.optionsFailed', { message: optionsProblem(state.error, t, locale) })}
        </div>
      ) : null}
    </>
  );
}

/** Why a list could not be read: the integration's own words when it answered, else the usual text. */
function optionsProblem(error: unknown, t: Translate, locale: Locale): string {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 403 && error.status !== 404) {
    return localizeMessage(error.message, locale);
  }
  return describeError(error, t, locale);
}
