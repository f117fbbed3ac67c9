import { useEffect, useState } from 'react';

/** Seconds since `since` (epoch ms), ticking four times a second while defined: progress text for slow actions. */
export function useElapsedSeconds(since: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [since]);
  return since === undefined ? undefined : Math.max(0, (now - since) / 1000);
}
