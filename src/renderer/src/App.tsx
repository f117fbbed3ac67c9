import { useEffect, useState } from 'react';
import type { SystemInfo } from '../../shared/api';
import { engine, engineConnection, onEngineDisconnected, probeEngine } from './engine';
import { PANES, WORKSPACE_PANE_ID } from './app/panes';
import { ThemeToggle } from './app/ThemeToggle';
import { useHashPane } from './app/useHashPane';
import { isPresenting, PresenterView } from './features/presenter/PresenterView';

export function App() {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [disconnected, setDisconnected] = useState(false);
  const pane = useHashPane();
  const Pane = pane.component;
  const [presenting, setPresenting] = useState(() => isPresenting(window.location.hash));
  useEffect(() => {
    engine.system.info().then(setInfo, () => setDisconnected(true));
    // First run opens on the demo (the default pane); a user with a saved workspace starts on their pipelines.
    if (window.location.hash === '') {
      engine.pipelines.listFiles().then(
        (files) => {
          if (files.length > 0 && window.location.hash === '') window.location.hash = WORKSPACE_PANE_ID;
        },
        () => {},
      );
    }
    const onHash = (): void => setPresenting(isPresenting(window.location.hash));
    window.addEventListener('hashchange', onHash);
    const stopListening = onEngineDisconnected(() => setDisconnected(true));
    return () => {
      window.removeEventListener('hashchange', onHash);
      stopListening();
    };
  }, []);

  // A restarted web host comes back on the same port and token: try every 2 s and reload once it answers.
  useEffect(() => {
    if (!disconnected || engineConnection !== 'web') return;
    let cancelled = false;
    const timer = setInterval(() => {
      void probeEngine().then((back) => {
        if (back && !cancelled) window.location.reload();
      });
    }, 2000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [disconnected]);

  // Presenter mode is the whole window: no sidebar, nothing but the pipeline.
  if (presenting) return <PresenterView />;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Ferry</div>
        {PANES.map((entry, index) => (
          <a
            key={entry.id}
            className={entry.id === pane.id ? 'nav-item active' : 'nav-item'}
            href={`#${entry.id}`}
            aria-current={entry.id === pane.id ? 'page' : undefined}
            title={index < 9 ? `${entry.label} (Alt+${index + 1})` : entry.label}
          >
            {entry.label}
          </a>
        ))}
        <div className="sidebar-footer muted small">
          <ThemeToggle />
          {info ? `v${info.version} · ${engineConnection === 'web' ? 'browser' : 'desktop'}` : '…'}
        </div>
      </nav>
      <main className="content">
        {disconnected && (
          <div className="problem" role="alert">
            <strong>Engine unreachable</strong>
            <p>
              The connection to the Ferry engine was lost or refused. Reconnecting by itself when <code>npm start</code> / <code>ferry web</code> is back on this port (a workspace keeps its port and token); if it started on another port,
              open the URL it prints.
            </p>
          </div>
        )}
        <Pane key={pane.id} />
      </main>
    </div>
  );
}
