import { useEffect, useState } from 'react';
import { DEFAULT_PANE_ID, PANES, type PaneDefinition } from './panes';

function paneFromHash(): PaneDefinition {
  const id = window.location.hash.replace(/^#/, '').split('/')[0];
  return PANES.find((pane) => pane.id === id) ?? PANES.find((pane) => pane.id === DEFAULT_PANE_ID) ?? PANES[0]!;
}

/** The pane named by the URL hash, so that reloads, links and the back button keep the user where they were. */
export function useHashPane(): PaneDefinition {
  const [pane, setPane] = useState(paneFromHash);
  useEffect(() => {
    const onHashChange = (): void => setPane(paneFromHash());
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const index = Number(event.key) - 1;
      const target = PANES[index];
      if (target) {
        event.preventDefault();
        window.location.hash = target.id;
      }
    };
    window.addEventListener('hashchange', onHashChange);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  return pane;
}

/** Opens a pane (optionally with a sub-path such as `messages/orders`) from anywhere in the app. */
export function openPane(id: string, subPath?: string): void {
  window.location.hash = subPath === undefined ? id : `${id}/${subPath}`;
}
