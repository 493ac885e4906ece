import type { ReactNode } from 'react';
import type { Locale, Translate } from '../i18n';

/**
 * A settings form drawn from the integration's JSON Schema (what `z.toJSONSchema` produces on the
 * server), so an integration gets its form by declaring its schema: labels come from each
 * property's `title` (or `description`), hints from `description`, secrets from `x-secret`.
 * Strings, numbers, booleans, enums, nested objects and arrays of objects (mapping tables) are
 * supported; anything else is edited as JSON text.
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
  [key: string]: unknown;
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
}

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
  const { schema, value, onChange } = props;
  const properties = plain(schema).properties ?? {};
  const required = new Set(plain(schema).required ?? []);
  return (
    <div className="form schema-form">
      {/* The integration's own word on how it is set up (e.g. «обратитесь к поставщику»), when it has one. */}
      {schema.description && <div className="alert alert-info">{schema.description}</div>}
      {Object.keys(properties).length === 0 && <p className="muted">{props.t('integrations.noFields')}</p>}
      {Object.entries(properties).map(([name, property]) => (
        <PropertyField
          key={name}
          {...props}
          name={name}
          path={name}
          schema={property}
          required={required.has(name)}
          value={value[name]}
          onValue={(v) => onChange({ ...value, [name]: v })}
        />
      ))}
    </div>
  );
}

function PropertyField(
  props: Omit<Props, 'value' | 'onChange' | 'schema'> & { name: string; path: string; schema: JsonSchema; required: boolean; value: unknown; onValue(v: unknown): void },
) {
  const { name, path, required, value, onValue, errors, secrets, t, disabled, idPrefix } = props;
  const schema = plain(props.schema);
  const id = `${idPrefix}-${path.replace(/[^\w-]/g, '_')}`;
  const label = labelOf(name, schema);
  const error = errors[path] ?? nestedErrors(errors, path);
  const field = (control: ReactNode, hint?: string) => (
    <div className={`field${error ? ' has-error' : ''}`} data-field={path}>
      <label htmlFor={id}>
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
          <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => onValue(e.target.checked)} /> {label}
        </label>
        {error && <div className="field-error">{error}</div>}
      </div>
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
  props: Omit<Props, 'value' | 'onChange' | 'schema'> & { name: string; path: string; schema: JsonSchema; value: unknown; onValue(v: unknown): void; label: string; id: string; error?: string | undefined },
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
                    schema={{ ...colSchema, title: '' }}
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
