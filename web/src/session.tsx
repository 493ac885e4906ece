import { createContext, useContext } from 'react';
import type { Session } from './types';

export const SessionContext = createContext<{ session: Session; logout(): Promise<void> } | null>(null);

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the logged-in layout');
  return value;
}

/**
 * Whether admin-only controls (integration settings, dead-job replay, catalog edits) are shown
 * enabled. The server refuses them to managers anyway; this spares a manager the click that
 * would meet a 403.
 */
export function useIsAdmin(): boolean {
  return useSession().session.user.role === 'admin';
}
