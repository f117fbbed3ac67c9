import { nextThemeChoice, setThemeChoice, useThemeChoice } from './theme';

const LABELS = { system: 'System', light: 'Light', dark: 'Dark' } as const;

/** Cycles System → Light → Dark; the accessible name says what is in effect and what a click does. */
export function ThemeToggle() {
  const choice = useThemeChoice();
  const next = nextThemeChoice(choice);
  return (
    <button type="button" className="theme-toggle" onClick={() => setThemeChoice(next)} aria-label={`Theme: ${LABELS[choice]}. Switch to ${LABELS[next]}`} title={`Theme: ${LABELS[choice]} (click for ${LABELS[next]})`}>
      <span aria-hidden="true">{choice === 'light' ? '☀' : choice === 'dark' ? '☾' : '◐'}</span> {LABELS[choice]}
    </button>
  );
}
