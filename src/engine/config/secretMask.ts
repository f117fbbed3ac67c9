import { CONNECTOR_CLASSES } from './connectors/index';
import { parseLocatedJson } from './jsonText';
import { KAFKA_KEYS } from './kafkaBlock';
import { PIPELINE_KEYS } from './pipelineKeys';
import { SECRET_MASK } from './secret';
import { collectSecrets, secretKeyNames } from './secretScrub';

const SECRET_KEYS = secretKeyNames([...new Set(CONNECTOR_CLASSES.flatMap((c) => c.family.keys)), ...KAFKA_KEYS, ...PIPELINE_KEYS]);

/**
 * The pipeline text with every secret value (passwords, API secrets, credentials inside URLs) replaced by "****",
 * for writing a file to disk without them; `secrets` lists what was replaced. Text that is not valid JSON is refused
 * (undefined): its secret values cannot be told apart reliably.
 */
export function maskPipelineSecrets(text: string): { masked: string; secrets: string[] } | undefined {
  const parsed = parseLocatedJson(text);
  if (!parsed.ok) return undefined;
  const secrets = [...new Set(collectSecrets(parsed.value, SECRET_KEYS))].filter((secret) => secret !== '' && secret !== SECRET_MASK);
  let masked = text;
  // Longest first, so a secret that contains another is replaced whole. Short ones only where they are a whole
  // JSON string: replacing "ab" everywhere would mangle the file.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    const quoted = JSON.stringify(secret).slice(1, -1);
    masked = secret.length < 3 ? masked.split(`"${quoted}"`).join(`"${SECRET_MASK}"`) : masked.split(quoted).join(SECRET_MASK);
  }
  return { masked, secrets };
}
