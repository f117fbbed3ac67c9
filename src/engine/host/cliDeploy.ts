/**
 * `ferry deploy`, `ferry undeploy` and `ferry export --mm2`: a pipeline moved onto Kafka Connect / MirrorMaker 2.
 * They parse their own options (like `ferry verify`), so the main parser's flags stay as they are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readConfigFiles, requireValidPipeline, type ResolvedPipeline } from '../config';
import { Secret } from '../config/secret';
import { parseConnectUrl, type ConnectEndpoint } from '../deploy/connectRest';
import { type DeployResult, deployedStatus, deployPipeline, undeployPipeline } from '../deploy/deploy';
import { exportMirrorMaker } from '../deploy/mm2';
import { planManagedConnectors } from '../deploy/confluentCloud';
import { type DeployNote, maskConfig, planConnectDeployment } from '../deploy/translate';
import { ConnectionsService } from '../connections';
import { cliSecretMissingHint, profileSecretEnvName, secretsKeptBy } from './cliSecrets';

const USAGE = `Usage:
  ferry deploy FILE… --connect URL [--dry-run] [--json]
                       create or update the pipeline's connectors on a Kafka Connect cluster (REST API);
                       Connect validates each config first and nothing is sent unless all pass
  ferry deploy FILE… --dry-run [--json]
                       print the configs a Connect cluster would get, without asking one
  ferry deploy FILE… --confluent-cloud DIR [--json]
                       write Confluent Cloud managed connector files (confluent connect cluster create --config-file)
  ferry deploy FILE… --connect URL --status [--json]
                       each connector's state on the cluster, with the root cause of a failure
  ferry undeploy FILE… --connect URL [--json]
                       delete the pipeline's connectors from the cluster
  ferry export --mm2 FILE… [--out DIR] [--json]
                       a replicator as MirrorMaker 2: mm2.properties (dedicated mode) and Connect configs
--connect also takes the name of a Kafka Connect profile saved in the app's Connections (URL and basic auth).
Basic auth: http://user@host:8083 with FERRY_CONNECT_PASSWORD set (or --connect-user USER).`;

class DeployUsageError extends Error {}

function noteLine(note: DeployNote): string {
  const mark = { class: '~', added: '+', dropped: '-', renamed: '~', 'not-deployed': '!', 'ferry-only': '!' }[note.kind];
  return `    ${mark} ${note.key ? `${note.key}: ` : ''}${note.message}`;
}

function endpointFrom(url: string | undefined, user: string | undefined): ConnectEndpoint {
  if (url === undefined) throw new DeployUsageError('--connect URL is required: the Kafka Connect REST address, e.g. http://127.0.0.1:8083 (the lab\'s is in `ferry lab status --json`, connect.url).');
  const password = process.env.FERRY_CONNECT_PASSWORD;
  if (user !== undefined && password === undefined) throw new DeployUsageError('--connect-user needs the password in FERRY_CONNECT_PASSWORD (it is never taken on the command line).');
  const endpoint = parseConnectUrl(url, user !== undefined && password !== undefined ? { username: user, password: new Secret(password) } : undefined);
  if (endpoint.basicAuth && endpoint.basicAuth.password.isEmpty && password !== undefined) endpoint.basicAuth = { username: endpoint.basicAuth.username, password: new Secret(password) };
  return endpoint;
}

/**
 * `--connect NAME` (no scheme) names a Kafka Connect profile saved in the app's Connections: its URL and basic auth
 * user, the password from the profile store or FERRY_PROFILE_SECRET_<NAME> (the keychain and the app's memory are not
 * readable here).
 */
async function connectProfileEndpoint(name: string): Promise<ConnectEndpoint> {
  const connections = new ConnectionsService();
  try {
    const profiles = connections.connectProfiles();
    const profile = profiles.find((candidate) => candidate.name === name) ?? profiles.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!profile) {
      const known = profiles.map((candidate) => `"${candidate.name}"`).join(', ');
      throw new DeployUsageError(`--connect "${name}" is neither a URL (http://host:8083) nor a saved Kafka Connect profile. ${known ? `Kafka Connect profiles: ${known}.` : "No Kafka Connect profile is saved yet (add one in the app's Connections, or pass the REST URL)."}`);
    }
    if (!profile.basicAuthUser) return parseConnectUrl(profile.url);
    const password = (profile.hasSecret ? connections.connectClient(profile.id).endpoint.basicAuth?.password.reveal() : undefined) ?? process.env[profileSecretEnvName(profile.name)];
    if (password === undefined || password === '') throw new DeployUsageError(`Kafka Connect profile "${profile.name}": password not stored where this process can read it. ${cliSecretMissingHint(profile.name, secretsKeptBy())}`);
    return parseConnectUrl(profile.url, { username: profile.basicAuthUser, password: new Secret(password) });
  } finally {
    connections.dispose();
  }
}

async function connectEndpoint(value: string | undefined, user: string | undefined): Promise<ConnectEndpoint> {
  return value !== undefined && !value.includes('://') ? connectProfileEndpoint(value) : endpointFrom(value, user);
}

function formatDeploy(result: DeployResult): string {
  const lines = [
    `${result.dryRun ? 'Would deploy' : 'Deployed'} pipeline "${result.pipeline}" to Kafka Connect ${result.connectVersion ?? ''} at ${result.connect} (its workers use Kafka cluster ${result.kafkaClusterId ?? 'unknown'}):`,
  ];
  for (const connector of result.connectors) {
    const validation = connector.validation === 'validated' ? (connector.errors.length === 0 ? 'valid' : `${connector.errors.length} error(s)`) : 'not validated (plugin not installed)';
    lines.push(`  ${connector.name}  ${connector.connectorClass}  ${validation}  ${connector.action}`);
    for (const error of connector.errors) lines.push(`    ✗ ${error.key}: ${error.messages.join(' ')}`);
    for (const note of connector.notes) lines.push(noteLine(note));
    if (result.dryRun) lines.push(`    ${JSON.stringify({ name: connector.name, config: connector.config })}`);
  }
  for (const note of result.notes) lines.push(noteLine(note).replace(/^ {4}/, '  '));
  if (!result.ok) lines.push('', 'Nothing was sent: fix the errors Connect named above and deploy again.');
  return lines.join('\n');
}

async function loadPipeline(files: readonly string[]): Promise<ResolvedPipeline> {
  const paths = files.map((file) => resolve(file));
  return requireValidPipeline(await readConfigFiles(paths), files.join(' '));
}

export async function runDeployCommand(command: 'deploy' | 'undeploy' | 'export', argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      connect: { type: 'string' },
      'connect-user': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
      'confluent-cloud': { type: 'string' },
      mm2: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const print = (text: string): void => void process.stdout.write(`${text}\n`);
  if (values.help) {
    print(USAGE);
    return 0;
  }
  try {
    if (positionals.length === 0) throw new DeployUsageError(`\`ferry ${command}\` takes a pipeline file, e.g. \`ferry ${command} pipeline.json${command === 'export' ? ' --mm2' : ' --connect http://127.0.0.1:8083'}\`.`);
    const pipeline = await loadPipeline(positionals);

    if (command === 'export') {
      if (!values.mm2) throw new DeployUsageError('`ferry export` writes MirrorMaker 2 configs: add --mm2.');
      const exports = exportMirrorMaker(pipeline);
      if (exports.length === 0) throw new DeployUsageError(`${positionals.join(' ')} has no replicator to export (connectors go to Kafka Connect with \`ferry deploy\`).`);
      const dir = resolve(values.out ?? `${pipeline.name}-mm2`);
      mkdirSync(dir, { recursive: true });
      const written: string[] = [];
      for (const mm2 of exports) {
        const properties = join(dir, `${mm2.replicator}.mm2.properties`);
        writeFileSync(properties, mm2.properties, { mode: 0o600 });
        written.push(properties);
        for (const connector of mm2.connectors) {
          const file = join(dir, `${connector.name}.json`);
          writeFileSync(file, `${JSON.stringify(connector, null, 2)}\n`, { mode: 0o600 });
          written.push(file);
        }
      }
      if (values.json) print(JSON.stringify({ dir, files: written, replicators: exports.map(({ replicator, environment, notes }) => ({ replicator, environment, notes })) }, null, 2));
      else {
        print(`MirrorMaker 2 configuration for ${exports.map((e) => `"${e.replicator}"`).join(', ')} written to ${dir}:`);
        for (const file of written) print(`  ${file}`);
        for (const mm2 of exports) for (const note of mm2.notes) print(noteLine(note).replace(/^ {4}/, '  '));
        print(`Run: connect-mirror-maker.sh ${written[0] ?? ''}   (or PUT the JSON files to a Connect cluster's /connectors/{name}/config)`);
      }
      return 0;
    }

    if (command === 'undeploy') {
      const result = await undeployPipeline(pipeline, await connectEndpoint(values.connect, values['connect-user']));
      if (values.json) print(JSON.stringify(result, null, 2));
      else for (const connector of result.connectors) print(`${connector.name}: ${connector.removed ? 'deleted' : 'was not on the cluster'}`);
      return 0;
    }

    if (values['confluent-cloud'] !== undefined) {
      const dir = resolve(values['confluent-cloud']);
      const plan = planManagedConnectors(pipeline);
      mkdirSync(dir, { recursive: true });
      const files = plan.connectors.map((connector) => {
        const file = join(dir, `${connector.name}.json`);
        writeFileSync(file, `${JSON.stringify(connector.config, null, 2)}\n`, { mode: 0o600 });
        return file;
      });
      if (values.json) print(JSON.stringify({ dir, files, notes: [...plan.notes, ...plan.connectors.flatMap((c) => c.notes)] }, null, 2));
      else {
        print(`Confluent Cloud connector files for "${pipeline.name}" in ${dir} (create each with \`confluent connect cluster create --config-file FILE\`):`);
        for (const [i, connector] of plan.connectors.entries()) {
          print(`  ${files[i] ?? ''}  ${connector.connectorClass}`);
          for (const note of connector.notes) print(noteLine(note));
        }
        for (const note of plan.notes) print(noteLine(note).replace(/^ {4}/, '  '));
      }
      return 0;
    }

    if (values.connect === undefined && values['dry-run']) {
      const plan = planConnectDeployment(pipeline);
      const body = plan.connectors.map((connector) => ({ name: connector.name, config: maskConfig(connector.config), notes: connector.notes }));
      if (values.json) print(JSON.stringify({ pipeline: plan.pipeline, dryRun: true, connectors: body, notes: plan.notes }, null, 2));
      else {
        print(`Pipeline "${plan.pipeline}" as Kafka Connect would get it (PUT /connectors/{name}/config; secrets masked):`);
        for (const connector of body) {
          print(`  ${connector.name}`);
          for (const note of connector.notes) print(noteLine(note));
          print(`    ${JSON.stringify(connector.config)}`);
        }
        for (const note of plan.notes) print(noteLine(note).replace(/^ {4}/, '  '));
      }
      return 0;
    }

    const endpoint = await connectEndpoint(values.connect, values['connect-user']);
    if (values.status) {
      const statuses = await deployedStatus(pipeline, endpoint);
      if (values.json) print(JSON.stringify({ pipeline: pipeline.name, connect: endpoint.url, connectors: statuses }, null, 2));
      else {
        for (const status of statuses) {
          print(`${status.name}: ${status.state}${status.rootCause ? ` — ${status.rootCause}` : ''}`);
          for (const task of status.tasks) print(`  task ${task.id}: ${task.state}${task.rootCause ? ` — ${task.rootCause}` : ''}`);
        }
      }
      return statuses.every((status) => status.state === 'RUNNING' && status.tasks.every((task) => task.state === 'RUNNING')) ? 0 : 1;
    }
    const result = await deployPipeline(pipeline, endpoint, { dryRun: values['dry-run'] });
    print(values.json ? JSON.stringify(result, null, 2) : formatDeploy(result));
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof DeployUsageError) {
      process.stderr.write(`ferry: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
