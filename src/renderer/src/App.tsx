import { useEffect, useState } from 'react';
import type { SystemInfo } from '../../shared/api';
import { engine, engineConnection, onEngineDisconnected } from './engine';
import { LabPanel } from './features/lab/LabPanel';

export function App() {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [disconnected, setDisconnected] = useState(false);
  useEffect(() => {
    engine.system.info().then(setInfo, () => setDisconnected(true));
    return onEngineDisconnected(() => setDisconnected(true));
  }, []);

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Ferry</div>
        <a className="nav-item active" href="#lab" aria-current="page">
          Local lab
        </a>
        <div className="sidebar-footer muted small">
          {info ? `v${info.version} · ${engineConnection === 'web' ? 'browser' : 'desktop'}` : '…'}
        </div>
      </nav>
      <main className="content">
        {disconnected && (
          <div className="problem" role="alert">
            <strong>Engine unreachable</strong>
            <p>The connection to the Ferry engine was lost or refused. Start `ferry web` again and open the URL it prints (it carries the access token).</p>
          </div>
        )}
        <LabPanel />
      </main>
    </div>
  );
}
