/** The engine side of the app's Connect clusters pane (IConnectApi) over the same REST client `ferry deploy` uses. */
import type { ConnectClusterInfo, ConnectClusterRef, ConnectConnectorView, IConnectApi } from '../../shared/api/connect';
import { Secret } from '../config/secret';
import { ConnectRestClient, parseConnectUrl, rootCauseOf } from './connectRest';

function clientFor(cluster: ConnectClusterRef): ConnectRestClient {
  const auth = cluster.username ? { username: cluster.username, password: new Secret(cluster.password ?? '') } : undefined;
  return new ConnectRestClient(parseConnectUrl(cluster.url, auth), 15_000);
}

export class ConnectService implements IConnectApi {
  async test(cluster: ConnectClusterRef): Promise<ConnectClusterInfo> {
    const client = clientFor(cluster);
    const info = await client.serverInfo();
    const plugins = await client.plugins();
    return { url: client.url, version: info.version, kafkaClusterId: info.kafka_cluster_id, plugins: plugins.filter((p) => p.type === 'source' || p.type === 'sink').map((p) => p.class) };
  }

  async connectors(cluster: ConnectClusterRef): Promise<ConnectConnectorView[]> {
    const client = clientFor(cluster);
    const statuses = await client.statuses();
    return statuses
      .map((status): ConnectConnectorView => {
        const rootCause = rootCauseOf(status.connector.trace);
        return {
          name: status.name,
          ...(status.type ? { type: status.type } : {}),
          ...(status.connectorClass ? { connectorClass: status.connectorClass } : {}),
          state: status.connector.state,
          workerId: status.connector.worker_id,
          ...(status.connector.trace ? { trace: status.connector.trace } : {}),
          ...(rootCause ? { rootCause } : {}),
          tasks: status.tasks.map((task) => {
            const cause = rootCauseOf(task.trace);
            return { id: task.id, state: task.state, workerId: task.worker_id, ...(task.trace ? { trace: task.trace } : {}), ...(cause ? { rootCause: cause } : {}) };
          }),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async config(cluster: ConnectClusterRef, connector: string): Promise<Record<string, string>> {
    return (await clientFor(cluster).config(connector)) ?? {};
  }

  async pause(cluster: ConnectClusterRef, connector: string): Promise<void> {
    await clientFor(cluster).pause(connector);
  }

  async resume(cluster: ConnectClusterRef, connector: string): Promise<void> {
    await clientFor(cluster).resume(connector);
  }

  async restart(cluster: ConnectClusterRef, connector: string, task?: number): Promise<void> {
    const client = clientFor(cluster);
    if (task === undefined) await client.restart(connector, { includeTasks: true, onlyFailed: true });
    else await client.restartTask(connector, task);
  }
}
