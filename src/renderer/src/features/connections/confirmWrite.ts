import { engine } from '../../engine';

/**
 * Asks the user before a write to a prod-coloured profile; resolves true when the write may go ahead. Other features
 * call this before writing through a profile and pass `confirmed: true` to the engine, which enforces the same rule.
 */
export async function confirmWrite(profileId: string | undefined, action: string): Promise<boolean> {
  if (!profileId) return true;
  const check = await engine.connections.checkWrite({ profileId, action });
  return !check.confirmationRequired || window.confirm(check.prompt);
}
