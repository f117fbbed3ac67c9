import type { ConnectorTableStatus } from '../../../../shared/api';
import { formatCount } from '../../app/format';

/** Per-table snapshot progress: rows sent to Kafka against the table's row count when the connector started. */
export function SnapshotProgress({ pipeline, tables }: { pipeline: string; tables: ConnectorTableStatus[] }) {
  return (
    <table className="snapshot" aria-label={`Snapshot progress of ${pipeline}`}>
      <thead>
        <tr>
          <th scope="col">Table</th>
          <th scope="col">Topic</th>
          <th scope="col" className="num">Rows</th>
          <th scope="col" className="progress-col">Snapshot</th>
        </tr>
      </thead>
      <tbody>
        {tables.map((table) => {
          const total = table.totalRows;
          const fraction = table.snapshotDone ? 1 : total && total > 0 ? Math.min(1, table.rows / total) : total === 0 ? 1 : undefined;
          const label = fraction === undefined ? 'counting…' : table.snapshotDone ? 'done' : `${Math.round(fraction * 100)} %`;
          return (
            <tr key={table.table}>
              <td>{table.table}</td>
              <td className="muted topic-cell" title={table.topic}>
                {table.topic}
              </td>
              <td className="num">
                {formatCount(table.rows)}
                {total !== undefined && !table.snapshotDone && <span className="muted"> / {formatCount(total)}</span>}
              </td>
              <td className="progress-col">
                <div className="progress-cell">
                <div
                  className={table.snapshotDone ? 'progress done' : 'progress'}
                  role="progressbar"
                  aria-label={`Snapshot of ${table.table}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  {...(fraction === undefined ? {} : { 'aria-valuenow': Math.round(fraction * 100) })}
                >
                  <div className="progress-fill" style={{ width: `${Math.round((fraction ?? 0) * 100)}%` }} />
                </div>
                <span className="progress-label">{label}</span>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
