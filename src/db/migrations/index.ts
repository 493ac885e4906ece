import type { Migration } from 'kysely';
import * as core from './001-core.js';
import * as jobs from './002-jobs.js';
import * as settingsSyncLog from './003-settings-sync-log.js';
import * as staff from './004-staff.js';
import * as integrationPlatform from './005-integration-platform.js';
import * as loginReservations from './006-login-reservations.js';
import * as leanerIndexes from './007-leaner-indexes.js';
import * as integrationState from './008-integration-state.js';
import * as inboundEvents from './009-inbound-events.js';
import * as integrationRecords from './010-integration-records.js';
import * as calculatorWidget from './011-calculator-widget.js';
import * as orderReadyAt from './012-order-ready-at.js';

/**
 * Every migration, in order. Listed by hand rather than read from the folder so that the set
 * is fixed at build time and a typo fails `tsc`. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '001-core': core,
  '002-jobs': jobs,
  '003-settings-sync-log': settingsSyncLog,
  '004-staff': staff,
  '005-integration-platform': integrationPlatform,
  '006-login-reservations': loginReservations,
  '007-leaner-indexes': leanerIndexes,
  '008-integration-state': integrationState,
  '009-inbound-events': inboundEvents,
  '010-integration-records': integrationRecords,
  '011-calculator-widget': calculatorWidget,
  '012-order-ready-at': orderReadyAt,
};
