import { useSyncExternalStore } from 'react';

/** `system` follows the operating system's light/dark preference; the others pin one. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'ferry.theme';
const listeners = new Set<() => void>();
const media = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: light)') : undefined;

function readChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

let choice: ThemeChoice = readChoice();

function apply(): void {
  // No attribute for `system`: the stylesheet's prefers-color-scheme query decides, even before scripts run.
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  for (const listener of listeners) listener();
}

media?.addEventListener('change', () => {
  if (choice === 'system') apply();
});
apply();

export function effectiveTheme(): Theme {
  if (choice !== 'system') return choice;
  return media?.matches ? 'light' : 'dark';
}

export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  try {
    if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage may be unavailable (private mode); the choice still holds for this window.
  }
  apply();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, () => choice);
}

/** The theme in effect (what `system` resolves to), for canvases and Monaco that cannot read CSS variables live. */
export function useEffectiveTheme(): Theme {
  return useSyncExternalStore(subscribe, effectiveTheme);
}

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

export function nextThemeChoice(current: ThemeChoice): ThemeChoice {
  return NEXT[current];
}
