import { z } from 'zod';

/**
 * Building blocks of integration settings forms, with the messages in Russian: the panel shows a
 * schema's messages next to its fields as they are, and an administrator should read «Заполните
 * поле», not zod's "expected string, received undefined". `title` is the field's label in the
 * form (as on the Pixlpark screens), `description` its hint.
 */
export interface FieldText {
  title: string;
  description?: string;
}

const FILL_IN = 'Заполните поле';

function typeMessage(expected: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null || issue.input === '' ? FILL_IN : expected);
}

/** A whole settings document; unknown fields are refused by name. */
export function settingsObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Неизвестные поля: ${issue.keys.join(', ')}` : undefined),
  });
}

/** Required one-line text, trimmed; `pattern` with the message to show when it does not match. */
export function text(label: FieldText, options: { max?: number; pattern?: { regex: RegExp; message: string } } = {}) {
  let schema = z
    .string({ error: typeMessage('Введите текст') })
    .trim()
    .min(1, FILL_IN)
    .max(options.max ?? 200, `Не длиннее ${options.max ?? 200} символов`);
  if (options.pattern) schema = schema.regex(options.pattern.regex, options.pattern.message);
  // Last: metadata belongs to this schema instance, and every refinement makes a new one.
  return schema.meta({ ...label });
}

/** Text that may stay empty; stored as null then. */
export function optionalText(label: FieldText, options: { max?: number } = {}) {
  return z
    .string({ error: 'Введите текст' })
    .trim()
    .max(options.max ?? 200, `Не длиннее ${options.max ?? 200} символов`)
    .nullish()
    .transform((value) => (value ? value : null))
    .meta({ ...label });
}

/** A positive integer id (an employee, a manager), required. */
export function requiredId(label: FieldText) {
  return z
    .number({ error: typeMessage('Введите число') })
    .int('Введите целое число')
    .positive('Введите число больше нуля')
    .meta({ ...label });
}

/** An integer id that may stay empty (null: «по умолчанию»); `zero` when 0 is a real id (a funnel). */
export function optionalId(label: FieldText, options: { zero?: boolean } = {}) {
  const id = z.number({ error: 'Введите число' }).int('Введите целое число');
  return (options.zero ? id.nonnegative('Введите число не меньше нуля') : id.positive('Введите число больше нуля'))
    .nullish()
    .transform((value) => value ?? null)
    .meta({ ...label });
}

/** An on/off switch, off unless saved otherwise. */
export function toggle(label: FieldText) {
  return z.boolean({ error: 'Выберите «да» или «нет»' }).default(false).meta({ ...label });
}

/** One of fixed options; `labels` are what the dropdown shows (the panel reads `x-labels`). */
export function choice<const Values extends readonly [string, ...string[]]>(
  values: Values,
  labels: { [K in Values[number]]: string },
  label: FieldText,
  fallback: Values[number],
) {
  return z
    .enum(values, { error: 'Выберите значение из списка' })
    .default(fallback as never)
    .meta({ ...label, 'x-labels': labels });
}

/**
 * An http(s) address as people type it: spaces trimmed, `https://` added when no scheme is
 * given, trailing slashes dropped. `normalize` may adjust it further (a default port) or return a
 * Russian message saying what is wrong with it.
 */
export function httpAddress(label: FieldText, options: { example: string; normalize?: (url: URL, typed: string) => string | { error: string } }) {
  const bad = `Введите адрес вида ${options.example}`;
  return z
    .string({ error: typeMessage(bad) })
    .trim()
    .min(1, FILL_IN)
    .transform((typed, ctx) => {
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`;
      let url: URL;
      try {
        url = new URL(withScheme);
      } catch {
        ctx.addIssue({ code: 'custom', message: bad });
        return z.NEVER;
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || /\s/.test(typed)) {
        ctx.addIssue({ code: 'custom', message: bad });
        return z.NEVER;
      }
      if (url.username || url.password || url.search || url.hash) {
        ctx.addIssue({ code: 'custom', message: `Только адрес, без логина, параметров и «#»: ${options.example}` });
        return z.NEVER;
      }
      const normalized = options.normalize ? options.normalize(url, withScheme) : `${url.origin}${url.pathname}`.replace(/\/+$/, '');
      if (typeof normalized !== 'string') {
        ctx.addIssue({ code: 'custom', message: normalized.error });
        return z.NEVER;
      }
      return normalized;
    })
    .meta({ ...label });
}
