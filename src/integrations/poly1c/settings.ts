import type { z } from 'zod';
import { defineSettings } from '../../settings/definition.js';
import { choice, optionalText, settingsObject } from '../common/fields.js';

/**
 * «1С:Полиграфия» under «ERP и CRM системы» (P1C-1): the toggle — templates are uploaded per
 * product (P1C-2), and the vendor sets up 1C itself — and the site exchange 1C runs against
 * printsync (P1C-6): the login and password 1C sends with `checkauth` (HTTP Basic), the schema
 * version of the order documents and their encoding. The exchange fields may stay empty: the
 * templates and the calculator work without them, and the exchange answers `failure` until they
 * are filled in.
 */
export const SCHEMA_VERSIONS = ['2.05', '2.08', '2.10'] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];
export const EXCHANGE_ENCODINGS = ['utf-8', 'windows-1251'] as const;
export type ExchangeEncoding = (typeof EXCHANGE_ENCODINGS)[number];

export const poly1cSettingsSchema = settingsObject({
  exchangeLogin: optionalText(
    { title: 'Логин для обмена с 1С:', description: 'Имя пользователя, которое 1С указывает в настройке обмена с сайтом' },
    { max: 100 },
  ),
  exchangePassword: optionalText({ title: 'Пароль для обмена с 1С:', description: 'Пароль из той же настройки обмена в 1С' }, { max: 100 }),
  schemaVersion: choice(
    SCHEMA_VERSIONS,
    { '2.05': 'CommerceML 2.05', '2.08': 'CommerceML 2.08', '2.10': 'CommerceML 2.10' },
    { title: 'Версия схемы CommerceML:', description: 'Как в настройке обмена с сайтом в 1С' },
    '2.08',
  ),
  encoding: choice(
    EXCHANGE_ENCODINGS,
    { 'utf-8': 'UTF-8', 'windows-1251': 'Windows-1251' },
    { title: 'Кодировка выгрузки заказов:', description: 'Документы от 1С принимаются в обеих кодировках' },
    'utf-8',
  ),
});

export type Poly1cSettings = z.output<typeof poly1cSettingsSchema>;

export const poly1cSettings = defineSettings<Poly1cSettings>({
  schema: poly1cSettingsSchema,
  secretFields: ['exchangePassword'],
  defaults: { exchangeLogin: null, exchangePassword: null, schemaVersion: '2.08', encoding: 'utf-8' },
});
