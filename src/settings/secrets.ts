import type { FieldProblem } from '../domain/errors.js';
import type { SettingsShape } from './definition.js';

/**
 * How secret settings fields leave and come back through the API. A secret goes out as a mask
 * (`••••1234`) plus `hasValue`; the form posts the mask back untouched when the user didn't
 * type a new one, and the stored value is kept. So the API never needs to hand a secret out
 * for an edit round trip to work.
 */
export const MASK = '••••';

// Showing the tail helps tell two keys apart; only for secrets long enough that 4 characters
// give away little of them.
const SHOW_TAIL_FROM = 12;

export interface SecretState {
  hasValue: boolean;
  /** `••••1234`, `••••` for short secrets, or null when there is no value. */
  masked: string | null;
}

export function hasSecretValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export function maskSecret(value: unknown): string | null {
  if (!hasSecretValue(value)) return null;
  if (typeof value === 'string' && value.length >= SHOW_TAIL_FROM) return `${MASK}${value.slice(-4)}`;
  return MASK;
}

/** True for what `maskSecret` produced: no real secret starts with U+2022 bullets. */
export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(MASK);
}

/** The settings as the API shows them: every secret replaced by its mask, plus their states. */
export function maskSettings(
  data: SettingsShape,
  secretFields: readonly string[],
): { settings: SettingsShape; secrets: Record<string, SecretState> } {
  const settings: SettingsShape = { ...data };
  const secrets: Record<string, SecretState> = {};
  for (const field of secretFields) {
    const masked = maskSecret(data[field]);
    secrets[field] = { hasValue: masked !== null, masked };
    if (masked !== null) settings[field] = masked;
  }
  return { settings, secrets };
}

/**
 * Puts the stored secrets back where the caller sent their mask or left the field out. An
 * explicit `null` or `""` clears the secret (the schema then decides whether that is allowed);
 * any other value replaces it. `restored` names the fields whose value came from storage.
 */
export function restoreSecrets(
  incoming: SettingsShape,
  stored: SettingsShape | null,
  secretFields: readonly string[],
): { settings: SettingsShape; restored: string[] } {
  const merged: SettingsShape = { ...incoming };
  const restored: string[] = [];
  for (const field of secretFields) {
    const sent = incoming[field];
    if (sent !== undefined && !isMasked(sent)) continue;
    if (stored && hasSecretValue(stored[field])) {
      merged[field] = stored[field];
      restored.push(field);
    }
    // A mask with nothing behind it is no value: let the schema report a missing field.
    else delete merged[field];
  }
  return { settings: merged, restored };
}

/**
 * Restored secrets whose address changed: a stored secret is only ever sent to the address it
 * was saved with (`secretAddresses`). Both documents are as the schema outputs them, so
 * `https://erp` and `https://erp:3000` are one ASystem address; anything else that differs —
 * host, port, scheme, path — is another server, and the secret must be typed again for it.
 */
export function secretsMovedElsewhere(
  restored: readonly string[],
  secretAddresses: Readonly<Record<string, string>> | undefined,
  next: SettingsShape,
  stored: SettingsShape,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of restored) {
    const addressField = secretAddresses?.[field];
    if (!addressField || next[addressField] === stored[addressField]) continue;
    problems.push({
      path: field,
      message:
        'Адрес изменился: введите ключ заново — сохранённый ключ отправляется только на адрес, с которым он был сохранён' +
        (typeof stored[addressField] === 'string' ? ` (${stored[addressField]})` : ''),
    });
  }
  return problems;
}

/** The secret values of a settings document, for redacting them from logs and messages. */
export function secretValues(data: SettingsShape | null, secretFields: readonly string[]): string[] {
  if (!data) return [];
  return secretFields.map((field) => data[field]).filter((value): value is string => typeof value === 'string' && value !== '');
}
