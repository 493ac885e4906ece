import { useEffect, useRef } from 'react';

/** How often an open card asks whether its record changed elsewhere (another system, a colleague). */
export const FRESHNESS_INTERVAL_MS = 5_000;

/**
 * Keeps an open card current: while the tab is visible, loads the record every few seconds and
 * hands it over when anything in it changed. A manager who moved the deal in the CRM sees the order
 * follow without reloading; what someone is typing lives in the editors' own state and stays.
 */
export function useFreshRecord<T>(current: T | undefined, load: () => Promise<T>, onNewer: (fresh: T) => void): void {
  const latest = useRef({ current, load, onNewer });
  latest.current = { current, load, onNewer };
  const present = current !== undefined;
  useEffect(() => {
    if (!present) return;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight || document.visibilityState !== 'visible') return;
      inFlight = true;
      latest.current
        .load()
        .then((fresh) => {
          const shown = latest.current.current;
          // Not only its version: ids another system gave it (a new deal) are news too.
          if (shown && JSON.stringify(fresh) !== JSON.stringify(shown)) latest.current.onNewer(fresh);
        })
        // A failed look is not news: the card keeps what it shows, the next look tries again.
        .catch(() => undefined)
        .finally(() => (inFlight = false));
    }, FRESHNESS_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [present]);
}
