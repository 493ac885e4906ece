/** Field and entity descriptions of the old `crm.*` API, shared by get/list/fields and writes. */

export type FieldType =
  | 'integer'
  | 'double'
  | 'string'
  | 'char'
  | 'date'
  | 'datetime'
  | 'crm_status'
  | 'crm_currency'
  | 'crm_category'
  | 'user'
  | 'crm_contact'
  | 'crm_company'
  | 'crm_lead'
  | 'crm_quote'
  | 'location'
  | 'crm_multifield'
  | 'file';

export interface FieldDef {
  type: FieldType;
  title: string;
  readOnly?: boolean;
  immutable?: boolean;
  required?: boolean;
  multiple?: boolean;
  statusType?: string;
  /** Not returned by get/list (written only, e.g. CONTACT_IDS on deals). */
  writeOnly?: boolean;
}

export type EntityKey = 'lead' | 'deal' | 'contact' | 'company' | 'product';

export interface EntityDef {
  key: EntityKey;
  table: string;
  /** crm.item entityTypeId; 0 for products. */
  entityTypeId: number;
  /** Event code stem: `ONCRM${stem}ADD`. */
  eventStem: string;
  /** `ENTITY_ID` of user fields (`CRM_DEAL`). */
  ufEntityId: string;
  fields: Record<string, FieldDef>;
  multifields: readonly string[];
}

const ref = (type: FieldType, title: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type, title, ...extra });
const ro = (type: FieldType, title: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type, title, readOnly: true, ...extra });

const UTM: Record<string, FieldDef> = {
  UTM_SOURCE: ref('string', 'Ad system'),
  UTM_MEDIUM: ref('string', 'Traffic type'),
  UTM_CAMPAIGN: ref('string', 'Ad campaign UTM'),
  UTM_CONTENT: ref('string', 'Campaign contents'),
  UTM_TERM: ref('string', 'Campaign search term'),
};

const MULTI: Record<string, FieldDef> = {
  PHONE: ref('crm_multifield', 'Phone', { multiple: true }),
  EMAIL: ref('crm_multifield', 'E-mail', { multiple: true }),
  WEB: ref('crm_multifield', 'Website', { multiple: true }),
  IM: ref('crm_multifield', 'Messenger', { multiple: true }),
  LINK: ref('crm_multifield', 'LINK', { multiple: true }),
};

const ADDRESS: Record<string, FieldDef> = {
  ADDRESS: ref('string', 'Street address'),
  ADDRESS_2: ref('string', 'Address (line 2)'),
  ADDRESS_CITY: ref('string', 'City'),
  ADDRESS_POSTAL_CODE: ref('string', 'Zip'),
  ADDRESS_REGION: ref('string', 'Region'),
  ADDRESS_PROVINCE: ref('string', 'State / Province'),
  ADDRESS_COUNTRY: ref('string', 'Country'),
  ADDRESS_COUNTRY_CODE: ref('string', 'Country code'),
  ADDRESS_LOC_ADDR_ID: ref('integer', 'Location address ID'),
};

export const DEAL: EntityDef = {
  key: 'deal',
  table: 'deal',
  entityTypeId: 2,
  eventStem: 'DEAL',
  ufEntityId: 'CRM_DEAL',
  multifields: [],
  fields: {
    ID: ro('integer', 'ID'),
    TITLE: ref('string', 'Name'),
    TYPE_ID: ref('crm_status', 'Type', { statusType: 'DEAL_TYPE' }),
    STAGE_ID: ref('crm_status', 'Stage', { statusType: 'DEAL_STAGE' }),
    PROBABILITY: ref('integer', 'Probability'),
    CURRENCY_ID: ref('crm_currency', 'Currency'),
    OPPORTUNITY: ref('double', 'Amount'),
    IS_MANUAL_OPPORTUNITY: ref('char', 'IS_MANUAL_OPPORTUNITY'),
    TAX_VALUE: ref('double', 'Tax rate'),
    LEAD_ID: ro('crm_lead', 'Lead'),
    COMPANY_ID: ref('crm_company', 'Company'),
    CONTACT_ID: ref('crm_contact', 'Contact'),
    QUOTE_ID: ro('crm_quote', 'Quote'),
    BEGINDATE: ref('date', 'Start date'),
    CLOSEDATE: ref('date', 'End date'),
    ASSIGNED_BY_ID: ref('user', 'Responsible person'),
    CREATED_BY_ID: ro('user', 'Created by'),
    MODIFY_BY_ID: ro('user', 'Modified by'),
    DATE_CREATE: ro('datetime', 'Created on'),
    DATE_MODIFY: ro('datetime', 'Modified on'),
    OPENED: ref('char', 'Available to everyone'),
    CLOSED: ref('char', 'Closed'),
    COMMENTS: ref('string', 'Comment'),
    ADDITIONAL_INFO: ref('string', 'Additional information'),
    LOCATION_ID: ref('location', 'Location'),
    CATEGORY_ID: ref('crm_category', 'Pipeline', { immutable: true }),
    STAGE_SEMANTIC_ID: ro('string', 'Stage group'),
    IS_NEW: ro('char', 'New deal'),
    IS_RECURRING: ref('char', 'Recurring deal'),
    IS_RETURN_CUSTOMER: ref('char', 'Repeat deal'),
    IS_REPEATED_APPROACH: ref('char', 'Repeat inquiry'),
    SOURCE_ID: ref('crm_status', 'Source', { statusType: 'SOURCE' }),
    SOURCE_DESCRIPTION: ref('string', 'Source information'),
    ORIGINATOR_ID: ref('string', 'External source'),
    ORIGIN_ID: ref('string', 'Item ID in data source'),
    MOVED_BY_ID: ro('user', 'Stage changed by'),
    MOVED_TIME: ro('datetime', 'Stage changed on'),
    LAST_ACTIVITY_TIME: ro('datetime', 'Last activity'),
    ...UTM,
    LAST_ACTIVITY_BY: ro('user', 'Last activity by'),
    CONTACT_IDS: ref('crm_contact', 'Contacts', { multiple: true, writeOnly: true }),
  },
};

export const CONTACT: EntityDef = {
  key: 'contact',
  table: 'contact',
  entityTypeId: 3,
  eventStem: 'CONTACT',
  ufEntityId: 'CRM_CONTACT',
  multifields: ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  fields: {
    ID: ro('integer', 'ID'),
    HONORIFIC: ref('crm_status', 'Salutation', { statusType: 'HONORIFIC' }),
    NAME: ref('string', 'First name'),
    SECOND_NAME: ref('string', 'Second name'),
    LAST_NAME: ref('string', 'Last name'),
    PHOTO: ref('file', 'Photo'),
    BIRTHDATE: ref('date', 'Date of birth'),
    TYPE_ID: ref('crm_status', 'Contact type', { statusType: 'CONTACT_TYPE' }),
    SOURCE_ID: ref('crm_status', 'Source', { statusType: 'SOURCE' }),
    SOURCE_DESCRIPTION: ref('string', 'Source information'),
    POST: ref('string', 'Position'),
    COMMENTS: ref('string', 'Comment'),
    OPENED: ref('char', 'Available to everyone'),
    EXPORT: ref('char', 'Included in export'),
    ASSIGNED_BY_ID: ref('user', 'Responsible person'),
    COMPANY_ID: ref('crm_company', 'Company'),
    LEAD_ID: ro('crm_lead', 'Lead'),
    CREATED_BY_ID: ro('user', 'Created by'),
    MODIFY_BY_ID: ro('user', 'Modified by'),
    DATE_CREATE: ro('datetime', 'Created on'),
    DATE_MODIFY: ro('datetime', 'Modified on'),
    HAS_PHONE: ro('char', 'Has phone'),
    HAS_EMAIL: ro('char', 'Has e-mail'),
    HAS_IMOL: ro('char', 'Has Open Channel'),
    ORIGINATOR_ID: ref('string', 'External source'),
    ORIGIN_ID: ref('string', 'Item ID in data source'),
    ORIGIN_VERSION: ref('string', 'Original version'),
    FACE_ID: ro('integer', 'Face ID'),
    LAST_ACTIVITY_TIME: ro('datetime', 'Last activity'),
    ...ADDRESS,
    ...UTM,
    LAST_ACTIVITY_BY: ro('user', 'Last activity by'),
    COMPANY_IDS: ref('crm_company', 'Companies', { multiple: true, writeOnly: true }),
    ...MULTI,
  },
};

export const COMPANY: EntityDef = {
  key: 'company',
  table: 'company',
  entityTypeId: 4,
  eventStem: 'COMPANY',
  ufEntityId: 'CRM_COMPANY',
  multifields: ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  fields: {
    ID: ro('integer', 'ID'),
    TITLE: ref('string', 'Company name', { required: true }),
    COMPANY_TYPE: ref('crm_status', 'Company type', { statusType: 'COMPANY_TYPE' }),
    LOGO: ref('file', 'Logo'),
    LEAD_ID: ro('crm_lead', 'Lead'),
    HAS_PHONE: ro('char', 'Has phone'),
    HAS_EMAIL: ro('char', 'Has e-mail'),
    HAS_IMOL: ro('char', 'Has Open Channel'),
    ASSIGNED_BY_ID: ref('user', 'Responsible person'),
    CREATED_BY_ID: ro('user', 'Created by'),
    MODIFY_BY_ID: ro('user', 'Modified by'),
    BANKING_DETAILS: ref('string', 'Payment details'),
    INDUSTRY: ref('crm_status', 'Industry', { statusType: 'INDUSTRY' }),
    REVENUE: ref('double', 'Annual revenue'),
    CURRENCY_ID: ref('crm_currency', 'Currency'),
    EMPLOYEES: ref('crm_status', 'Employees', { statusType: 'EMPLOYEES' }),
    COMMENTS: ref('string', 'Comment'),
    DATE_CREATE: ro('datetime', 'Created on'),
    DATE_MODIFY: ro('datetime', 'Modified on'),
    OPENED: ref('char', 'Available to everyone'),
    IS_MY_COMPANY: ref('char', 'My company'),
    ORIGINATOR_ID: ref('string', 'External source'),
    ORIGIN_ID: ref('string', 'Item ID in data source'),
    ORIGIN_VERSION: ref('string', 'Original version'),
    LAST_ACTIVITY_TIME: ro('datetime', 'Last activity'),
    ADDRESS: ref('string', 'Street address'),
    ...UTM,
    LAST_ACTIVITY_BY: ro('user', 'Last activity by'),
    ...MULTI,
  },
};

export const LEAD: EntityDef = {
  key: 'lead',
  table: 'lead',
  entityTypeId: 1,
  eventStem: 'LEAD',
  ufEntityId: 'CRM_LEAD',
  multifields: ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  fields: {
    ID: ro('integer', 'ID'),
    TITLE: ref('string', 'Lead name'),
    HONORIFIC: ref('crm_status', 'Salutation', { statusType: 'HONORIFIC' }),
    NAME: ref('string', 'First name'),
    SECOND_NAME: ref('string', 'Second name'),
    LAST_NAME: ref('string', 'Last name'),
    COMPANY_TITLE: ref('string', 'Company name'),
    COMPANY_ID: ref('crm_company', 'Company'),
    CONTACT_ID: ref('crm_contact', 'Contact'),
    IS_RETURN_CUSTOMER: ro('char', 'Repeat lead'),
    BIRTHDATE: ref('date', 'Date of birth'),
    SOURCE_ID: ref('crm_status', 'Source', { statusType: 'SOURCE' }),
    SOURCE_DESCRIPTION: ref('string', 'Source information'),
    STATUS_ID: ref('crm_status', 'Stage', { statusType: 'STATUS' }),
    STATUS_DESCRIPTION: ref('string', 'Stage information'),
    POST: ref('string', 'Position'),
    COMMENTS: ref('string', 'Comment'),
    CURRENCY_ID: ref('crm_currency', 'Currency'),
    OPPORTUNITY: ref('double', 'Amount'),
    IS_MANUAL_OPPORTUNITY: ref('char', 'IS_MANUAL_OPPORTUNITY'),
    HAS_PHONE: ro('char', 'Has phone'),
    HAS_EMAIL: ro('char', 'Has e-mail'),
    HAS_IMOL: ro('char', 'Has Open Channel'),
    OPENED: ref('char', 'Available to everyone'),
    ASSIGNED_BY_ID: ref('user', 'Responsible person'),
    CREATED_BY_ID: ro('user', 'Created by'),
    MODIFY_BY_ID: ro('user', 'Modified by'),
    MOVED_BY_ID: ro('user', 'Stage changed by'),
    DATE_CREATE: ro('datetime', 'Created on'),
    DATE_MODIFY: ro('datetime', 'Modified on'),
    MOVED_TIME: ro('datetime', 'Stage changed on'),
    DATE_CLOSED: ro('datetime', 'Closed on'),
    STATUS_SEMANTIC_ID: ro('string', 'Status details'),
    ORIGINATOR_ID: ref('string', 'External source'),
    ORIGIN_ID: ref('string', 'Item ID in data source'),
    LAST_ACTIVITY_TIME: ro('datetime', 'Last activity'),
    ...ADDRESS,
    ...UTM,
    LAST_ACTIVITY_BY: ro('user', 'Last activity by'),
    CONTACT_IDS: ref('crm_contact', 'Contacts', { multiple: true, writeOnly: true }),
    ...MULTI,
  },
};

export const PRODUCT: EntityDef = {
  key: 'product',
  table: 'product',
  entityTypeId: 0,
  eventStem: 'PRODUCT',
  ufEntityId: '',
  multifields: [],
  fields: {
    ID: ro('integer', 'ID'),
    CATALOG_ID: ref('integer', 'Catalog'),
    PRICE: ref('double', 'Price'),
    CURRENCY_ID: ref('crm_currency', 'Currency'),
    NAME: ref('string', 'Name', { required: true }),
    CODE: ref('string', 'Symbolic code'),
    DESCRIPTION: ref('string', 'Description'),
    DESCRIPTION_TYPE: ref('string', 'Description type'),
    ACTIVE: ref('char', 'Active'),
    SECTION_ID: ref('integer', 'Section'),
    SORT: ref('integer', 'Sort'),
    VAT_ID: ref('integer', 'VAT rate'),
    VAT_INCLUDED: ref('char', 'VAT included'),
    MEASURE: ref('integer', 'Unit of measurement'),
    XML_ID: ref('string', 'External ID'),
    PREVIEW_PICTURE: ref('file', 'Preview image'),
    DETAIL_PICTURE: ref('file', 'Full image'),
    DATE_CREATE: ro('datetime', 'Created on'),
    TIMESTAMP_X: ro('datetime', 'Modified on'),
    MODIFIED_BY: ro('user', 'Modified by'),
    CREATED_BY: ro('user', 'Created by'),
  },
};

export const CRM_ENTITIES: Record<Exclude<EntityKey, 'product'>, EntityDef> = {
  lead: LEAD,
  deal: DEAL,
  contact: CONTACT,
  company: COMPANY,
};

export const ENTITY_BY_TYPE_ID = new Map<number, EntityDef>([
  [1, LEAD],
  [2, DEAL],
  [3, CONTACT],
  [4, COMPANY],
]);

/** Allowed VALUE_TYPEs per multifield TYPE_ID (from the crm_multifield docs). */
export const MULTIFIELD_VALUE_TYPES: Record<string, readonly string[]> = {
  PHONE: ['WORK', 'MOBILE', 'FAX', 'HOME', 'PAGER', 'MAILING', 'OTHER'],
  EMAIL: ['WORK', 'HOME', 'MAILING', 'OTHER'],
  WEB: ['WORK', 'HOME', 'FACEBOOK', 'VK', 'LIVEJOURNAL', 'TWITTER', 'OTHER'],
  IM: ['TELEGRAM', 'VK', 'SKYPE', 'VIBER', 'BITRIX24', 'OPENLINE', 'IMOL', 'ICQ', 'MSN', 'JABBER', 'FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'OTHER'],
  LINK: ['USER', 'OTHER'],
};

export const CURRENCIES = ['RUB', 'USD', 'EUR', 'UAH', 'BYN', 'KZT'] as const;
