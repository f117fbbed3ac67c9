import type { LabServiceStatus } from '../../../../shared/api';
import { CopyButton } from '../../app/CopyButton';

const SERVICE_TITLES: Record<LabServiceStatus['name'], string> = {
  'kafka-a': 'Kafka cluster a',
  'kafka-b': 'Kafka cluster b',
  mariadb: 'MariaDB',
  postgres: 'PostgreSQL',
  connect: 'Kafka Connect worker',
  'registry-a': 'Schema Registry a',
  'registry-b': 'Schema Registry b',
  azurite: 'Azurite (Azure Blob Storage)',
};

const SERVICE_NOTES: Record<LabServiceStatus['kind'], string> = {
  kafka: 'KRaft broker + controller',
  mariadb: 'ROW binlog, full row images',
  postgres: 'wal_level=logical',
  connect: 'distributed, on cluster a; Debezium, JDBC sink, MirrorMaker 2 (`ferry lab up --connect`)',
  'schema-registry': "Ferry's Confluent-compatible registry, one per cluster; schemas kept across restarts",
  azurite: 'Blob endpoint, development account devstoreaccount1; target of the Azure Blob / ADLS Gen2 sinks',
};

export function ServiceCard({ service }: { service: LabServiceStatus }) {
  return (
    <article className={`service-card state-${service.state}`} data-testid={`service-${service.name}`} aria-label={SERVICE_TITLES[service.name]}>
      <header>
        <span className={`state-dot state-${service.state}`} aria-hidden="true" />
        <h3>{SERVICE_TITLES[service.name]}</h3>
        <span className="state-label" data-testid={`state-${service.name}`}>
          {service.state}
        </span>
      </header>
      <p className="muted">{SERVICE_NOTES[service.kind]}</p>
      <dl>
        <dt>Endpoint</dt>
        <dd>
          <code data-testid={`endpoint-${service.name}`}>{service.endpoint}</code>
          <CopyButton text={service.endpoint} label={`Copy ${service.name} endpoint`} />
        </dd>
        <dt>Process</dt>
        <dd>{service.pid === undefined ? '—' : `pid ${service.pid}`}</dd>
        <dt>Log</dt>
        <dd>
          {/* Right-to-left overflow keeps the file name visible; <bdi> keeps the path itself reading left to right. */}
          <code className="path" title={service.logFile}>
            <bdi>{service.logFile}</bdi>
          </code>
        </dd>
      </dl>
      {service.error && (
        <p className="service-error" role="alert">
          {service.error}
        </p>
      )}
    </article>
  );
}
