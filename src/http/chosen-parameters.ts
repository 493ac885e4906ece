import { quoteRequestSchema } from '../domain/catalog.js';

export type ChosenParameters = Record<string, string | number | boolean>;

/** Why a `?parameters=` value was refused: not JSON at all, or a value a quote would refuse (at `path`). */
export type ChosenParametersProblem = { kind: 'not_json' } | { kind: 'invalid'; path: string; message: string };

/**
 * `?parameters={"format":"A4"}` of a calculator form (the staff API and the widget's): read and
 * checked like a quote's parameters. Each route answers a problem in its own error shape.
 */
export function readChosenParameters(text: string | undefined, refuse: (problem: ChosenParametersProblem) => Error): ChosenParameters | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse({ kind: 'not_json' });
  }
  const parsed = quoteRequestSchema.shape.parameters.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw refuse({ kind: 'invalid', path: ['querystring.parameters', ...issue.path.map(String)].join('.'), message: issue.message });
  }
  return parsed.data;
}
