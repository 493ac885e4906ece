import { createContext, useContext } from 'react';
import type { Session } from './types';

export const SessionContext = createContext<{ session: Session; logout(): Promise<void> } | null>(null);

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the logged-in layout');
  return value;
}
