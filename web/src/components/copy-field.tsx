import { useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { copyUrlOf } from '../integrations';
import type { PanelCopyField } from '../types';

/**
 * An address of printsync the admin pastes into the other system (e.g. where it sends its
 * events): read-only, with «Скопировать». Without PUBLIC_URL the address is this panel's own.
 */
export function CopyField({ field, idPrefix }: { field: PanelCopyField; idPrefix: string }) {
  const { t, locale } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const value = copyUrlOf(field, window.location.origin);
  const id = `${idPrefix}-copy-${field.id}`;

  const copy = async () => {
    input.current?.select();
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(value);
      else if (!document.execCommand('copy')) throw new Error('copy refused');
      setState('copied');
    } catch {
      setState('failed');
    }
  };

  return (
    <div className="field copy-field">
      <label htmlFor={id}>{field.label[locale]}</label>
      <div className="field-control">
        <div className="copy-field-row">
          <input id={id} ref={input} value={value} readOnly className="mono" onFocus={(e) => e.currentTarget.select()} data-testid={id} />
          <button type="button" className="btn btn-secondary" onClick={() => void copy()} data-testid={`${id}-button`}>
            {t('ext.copy')}
          </button>
        </div>
        {state === 'copied' && (
          <div className="field-hint text-success" role="status" data-testid={`${id}-copied`}>
            {t('ext.copied')}
          </div>
        )}
        {state === 'failed' && (
          <div className="field-error" role="status">
            {t('ext.copyFailed')}
          </div>
        )}
        {field.description && state === 'idle' && <div className="field-hint">{field.description[locale]}</div>}
      </div>
    </div>
  );
}
