/** The panel's part of Bitrix24: what its cards and settings show (cards.ts), and the API routes behind them (routes.ts). */
export { bitrix24Panel } from './cards.js';
export { bitrix24ApiRoutes } from './routes.js';
