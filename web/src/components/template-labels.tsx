import { useI18n } from '../i18n';
import type { PanelProductTemplate, TemplateGroupKind, TemplateParameter } from '../types';

const KINDS: readonly TemplateGroupKind[] = ['order', 'detail', 'operation'];

/** «Упаковка – Изделий в упаковке» for a detail's or an operation's parameter; the name alone for the order's. */
export function sourceLabel(parameter: TemplateParameter): string {
  return parameter.groupKind === 'order' ? parameter.sourceName : `${parameter.group} – ${parameter.sourceName}`;
}

/**
 * «Название параметра на сайте» for each parameter of the product's template: one table per group
 * kind that has parameters (order, details, operations), the other system's name read-only next to
 * a text input (blank: that name is used on the site).
 */
export function TemplateLabelTables({
  integration,
  texts,
  parameters,
  labels,
  problems,
  onChange,
}: {
  integration: string;
  texts: PanelProductTemplate;
  parameters: readonly TemplateParameter[];
  labels: Record<string, string>;
  /** Parameter key → the server's complaint about its label. */
  problems: Record<string, string>;
  onChange(labels: Record<string, string>): void;
}) {
  const { t, locale } = useI18n();
  return (
    <>
      {KINDS.map((kind) => {
        const rows = parameters.filter((p) => p.groupKind === kind);
        if (!rows.length) return null;
        return (
          <section key={kind} className="template-labels" data-testid={`template-table-${integration}-${kind}`}>
            <h4 className="section-title">{texts.groupTitles[kind][locale]}</h4>
            <table className="table table-compact">
              <thead>
                <tr>
                  <th>{texts.sourceNameColumn[locale]}</th>
                  <th>{t('template.siteLabel')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((parameter) => {
                  const source = sourceLabel(parameter);
                  const problem = problems[parameter.key];
                  return (
                    <tr key={parameter.key}>
                      <td>{source}</td>
                      <td>
                        <input
                          value={labels[parameter.key] ?? ''}
                          placeholder={parameter.sourceName}
                          aria-label={`${t('template.siteLabel')}: ${source}`}
                          className={problem ? 'is-invalid' : undefined}
                          aria-invalid={problem ? true : undefined}
                          maxLength={200}
                          onChange={(e) => onChange({ ...labels, [parameter.key]: e.target.value })}
                        />
                        {problem && <div className="field-error">{problem}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        );
      })}
    </>
  );
}
