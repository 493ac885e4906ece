import type { Store } from './store.js';

type StatusSeed = [statusId: string, name: string, semantics?: 'S' | 'F', color?: string];

const DEAL_STAGES: StatusSeed[] = [
  ['NEW', 'Новая', undefined, '#39A8EF'],
  ['PREPARATION', 'Подготовка документов', undefined, '#2FC6F6'],
  ['PREPAYMENT_INVOICE', 'Счёт на предоплату', undefined, '#55D0E0'],
  ['EXECUTING', 'В работе', undefined, '#47E4C2'],
  ['FINAL_INVOICE', 'Финальный счёт', undefined, '#FFA900'],
  ['WON', 'Сделка успешна', 'S', '#7BD500'],
  ['LOSE', 'Сделка провалена', 'F', '#FF5752'],
  ['APOLOGY', 'Анализ причины провала', 'F', '#FF5752'],
];

// A second funnel whose ids carry the `C1:` prefix, including a user-made `UC_` stage, so that
// nobody gets away with constructing stage ids instead of reading them.
const PRINT_STAGES: StatusSeed[] = [
  ['C1:NEW', 'Новый заказ', undefined, '#39A8EF'],
  ['C1:PREPARATION', 'Макет', undefined, '#2FC6F6'],
  ['C1:UC_8KQ2ZD', 'В печати', undefined, '#47E4C2'],
  ['C1:EXECUTING', 'Готов к выдаче', undefined, '#FFA900'],
  ['C1:WON', 'Выдан', 'S', '#7BD500'],
  ['C1:LOSE', 'Отменён', 'F', '#FF5752'],
];

const LEAD_STATUSES: StatusSeed[] = [
  ['NEW', 'Не обработан', undefined, '#2FC6F6'],
  ['IN_PROCESS', 'В работе', undefined, '#55D0E0'],
  ['PROCESSED', 'Обработан', undefined, '#FFA900'],
  ['CONVERTED', 'Качественный лид', 'S', '#7BD500'],
  ['JUNK', 'Некачественный лид', 'F', '#FF5752'],
];

const DICTIONARIES: Record<string, StatusSeed[]> = {
  SOURCE: [
    ['CALL', 'Звонок'],
    ['EMAIL', 'Электронная почта'],
    ['WEB', 'Веб-сайт'],
    ['ADVERTISING', 'Реклама'],
    ['PARTNER', 'Существующий клиент'],
    ['RECOMMENDATION', 'По рекомендации'],
    ['TRADE_SHOW', 'Выставка'],
    ['WEBFORM', 'CRM-форма'],
    ['CALLBACK', 'Обратный звонок'],
    ['RC_GENERATOR', 'Генератор продаж'],
    ['STORE', 'Интернет-магазин'],
    ['OTHER', 'Другое'],
  ],
  CONTACT_TYPE: [
    ['CLIENT', 'Клиенты'],
    ['SUPPLIER', 'Поставщики'],
    ['PARTNER', 'Партнеры'],
    ['OTHER', 'Другое'],
  ],
  COMPANY_TYPE: [
    ['CUSTOMER', 'Клиент'],
    ['SUPPLIER', 'Поставщик'],
    ['COMPETITOR', 'Конкурент'],
    ['PARTNER', 'Партнер'],
    ['OTHER', 'Другое'],
  ],
  DEAL_TYPE: [
    ['SALE', 'Продажа'],
    ['COMPLEX', 'Комплексная продажа'],
    ['GOODS', 'Продажа товара'],
    ['SERVICES', 'Продажа услуги'],
    ['SERVICE', 'Сервисное обслуживание'],
  ],
  INDUSTRY: [
    ['IT', 'Информационные технологии'],
    ['TELECOM', 'Телекоммуникации и связь'],
    ['MANUFACTURING', 'Производство'],
    ['BANKING', 'Банковские услуги'],
    ['CONSULTING', 'Консалтинг'],
    ['FINANCE', 'Финансы'],
    ['GOVERNMENT', 'Правительство'],
    ['DELIVERY', 'Доставка'],
    ['ENTERTAINMENT', 'Развлечения'],
    ['NOTPROFIT', 'Не для получения прибыли'],
    ['OTHER', 'Другое'],
  ],
  EMPLOYEES: [
    ['EMPLOYEES_1', 'менее 50'],
    ['EMPLOYEES_2', '50-250'],
    ['EMPLOYEES_3', '250-500'],
    ['EMPLOYEES_4', 'более 500'],
  ],
  HONORIFIC: [
    ['HNR_RU_1', 'г-н'],
    ['HNR_RU_2', 'г-жа'],
  ],
};

export interface SeedUser {
  ID: number;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  WORK_POSITION: string;
  UF_PHONE_INNER: string;
  PERSONAL_MOBILE: string;
  ACTIVE: boolean;
  UF_DEPARTMENT: number[];
  IS_ADMIN: boolean;
}

const USERS: SeedUser[] = [
  { ID: 1, NAME: 'Иван', LAST_NAME: 'Петров', SECOND_NAME: 'Сергеевич', EMAIL: 'admin@print.example', WORK_POSITION: 'Администратор', UF_PHONE_INNER: '101', PERSONAL_MOBILE: '+79161110001', ACTIVE: true, UF_DEPARTMENT: [1], IS_ADMIN: true },
  { ID: 2, NAME: 'Мария', LAST_NAME: 'Смирнова', SECOND_NAME: 'Олеговна', EMAIL: 'manager@print.example', WORK_POSITION: 'Менеджер по продажам', UF_PHONE_INNER: '102', PERSONAL_MOBILE: '+79161110002', ACTIVE: true, UF_DEPARTMENT: [2], IS_ADMIN: false },
  { ID: 3, NAME: 'Олег', LAST_NAME: 'Кузнецов', SECOND_NAME: '', EMAIL: 'print@print.example', WORK_POSITION: 'Печатник', UF_PHONE_INNER: '103', PERSONAL_MOBILE: '', ACTIVE: true, UF_DEPARTMENT: [3], IS_ADMIN: false },
  { ID: 4, NAME: 'Анна', LAST_NAME: 'Волкова', SECOND_NAME: '', EMAIL: 'former@print.example', WORK_POSITION: 'Менеджер', UF_PHONE_INNER: '104', PERSONAL_MOBILE: '', ACTIVE: false, UF_DEPARTMENT: [2], IS_ADMIN: false },
];

/** The technical user whose webhook printsync uses, and the manager the admin page acts as. */
export const WEBHOOK_USER_ID = 1;
export const MANAGER_USER_ID = 2;

export const TELEPHONY_LINES: Record<string, string> = { reg150907: 'Офис (+7 495 123-45-67)', reg150908: 'Отдел продаж (+7 495 123-45-68)' };

/**
 * Each employee's «Номер для исходящих по умолчанию» (`DEFAULT_LINE` of voximplant.user.get):
 * the administrator calls from the office line, the manager from the sales line, the others have
 * none of their own ('').
 */
export const USER_DEFAULT_LINES: Record<number, string> = { 1: 'reg150907', 2: 'reg150908' };

/** Fills an empty store with what a fresh Russian-language portal of a print shop has. */
export function seedPortal(store: Store, nowMs: number): void {
  const addStatuses = (entityId: string, categoryId: number | null, seeds: StatusSeed[]): void => {
    seeds.forEach(([statusId, name, semantics, color], index) => {
      const id = store.nextId('status');
      store.table('status').set(id, {
        ID: id,
        ENTITY_ID: entityId,
        STATUS_ID: statusId,
        NAME: name,
        NAME_INIT: name,
        SORT: (index + 1) * 10,
        SYSTEM: semantics || index === 0 || entityId === 'SOURCE' ? 'Y' : 'N',
        CATEGORY_ID: categoryId,
        COLOR: color ?? null,
        SEMANTICS: semantics ?? null,
      });
    });
  };
  addStatuses('DEAL_STAGE', 0, DEAL_STAGES);
  addStatuses('DEAL_STAGE_1', 1, PRINT_STAGES);
  addStatuses('STATUS', null, LEAD_STATUSES);
  for (const [entityId, seeds] of Object.entries(DICTIONARIES)) addStatuses(entityId, null, seeds);

  store.table('category').set(1, { ID: 1, NAME: 'Печать', SORT: 200, IS_LOCKED: 'N', CREATED_DATE: nowMs });
  store.nextId('category');

  for (const user of USERS) {
    store.table('user').set(user.ID, { ...user, DATE_REGISTER: nowMs - 400 * 86_400_000, LAST_LOGIN: nowMs - 3_600_000 });
    store.nextId('user');
  }
  store.changed();
}

/** Default funnel name, as `crm.category.list` reports category 0. */
export const DEFAULT_CATEGORY_NAME = 'Общая';
