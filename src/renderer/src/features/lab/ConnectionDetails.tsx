import { useState } from 'react';
import type { DatabaseEndpoint, LabEndpoints } from '../../../../shared/api';
import { CopyButton } from '../../app/CopyButton';

function databaseUrl(scheme: string, endpoint: DatabaseEndpoint, revealed: boolean): string {
  const password = revealed ? encodeURIComponent(endpoint.password) : '••••••';
  return `${scheme}://${endpoint.user}:${password}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

/** Endpoints as users paste them into other tools; passwords stay masked until asked for. */
export function ConnectionDetails({ endpoints }: { endpoints: LabEndpoints }) {
  const [revealed, setRevealed] = useState(false);
  const rows: { label: string; value: string; copy: string }[] = [
    { label: 'Kafka a (bootstrap.servers)', value: endpoints.kafka.a.bootstrap, copy: endpoints.kafka.a.bootstrap },
    { label: 'Kafka b (bootstrap.servers)', value: endpoints.kafka.b.bootstrap, copy: endpoints.kafka.b.bootstrap },
    // Each cluster's Schema Registry (schema.registry.url), when the lab reports one.
    ...(['a', 'b'] as const).flatMap((cluster) => {
      const url = endpoints.kafka[cluster].schemaRegistry?.url;
      return url ? [{ label: `Schema Registry ${cluster} (schema.registry.url)`, value: url, copy: url }] : [];
    }),
    { label: 'MariaDB', value: databaseUrl('mysql', endpoints.mariadb, revealed), copy: databaseUrl('mysql', endpoints.mariadb, true) },
    { label: 'PostgreSQL', value: databaseUrl('postgres', endpoints.postgres, revealed), copy: databaseUrl('postgres', endpoints.postgres, true) },
  ];
  return (
    <section className="panel" aria-label="Connection details">
      <header className="panel-header">
        <h2>Connection details</h2>
        <label className="toggle">
          <input type="checkbox" checked={revealed} onChange={(event) => setRevealed(event.target.checked)} /> Show passwords
        </label>
      </header>
      <table className="endpoints">
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>
                <code>{row.value}</code>
              </td>
              <td>
                <CopyButton text={row.copy} label={`Copy ${row.label}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
