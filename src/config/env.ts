// ${VAR} (or ${VAR:-default}) references are expanded after parsing, on string values only (never over raw YAML text, which
// would let a value inject YAML and would lose line numbers). Every expanded value is remembered so
// the build can prove no secret reached the published site.
import { isPair, isScalar, visit } from 'yaml';
import { StatuspostError } from '../errors.ts';
import { positionOfNode, type YamlSource } from './yaml-source.ts';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys whose values are secrets: they must come from the environment, never be written in the file. */
const SECRET_KEYS = new Set(['password', 'token', 'secret', 'apikey', 'api_key', 'authorization']);
/** How the problem for such a value ends (probes/notify.yaml's loader says it better for its providers' keys, and replaces it). */
export const SECRET_IN_FILE = 'a secret written in the file';

export interface Expansion {
  problems: StatuspostError[];
  /** The values substituted from the environment (they may be secrets). */
  secrets: string[];
  /** Values that could not be expanded: schema complaints about them would only repeat the cause. */
  unexpanded: Set<unknown>;
  /** Each scalar holding a value from the environment, with its text as written ("${KIND}"): messages show that instead. */
  expanded: Map<unknown, string>;
  /** Each value taken from the environment, with the variable it came from. */
  variables: Map<string, string>;
}

export function expandEnv(source: YamlSource, env: NodeJS.ProcessEnv): Expansion {
  const problems: StatuspostError[] = [];
  const secrets: string[] = [];
  const unexpanded = new Set<unknown>();
  const expanded = new Map<unknown, string>();
  const variables = new Map<string, string>();
  visit(source.doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return;
      const key = String(pair.key.value).toLowerCase();
      const value = pair.value.value;
      if (SECRET_KEYS.has(key) && typeof value === 'string' && value !== '' && !value.includes('${')) {
        problems.push(
          new StatuspostError('SP_CONFIG_INVALID', `${String(pair.key.value)}: ${SECRET_IN_FILE}`, {
            at: positionOfNode(source, pair.value),
            hint: `write it as an environment reference, e.g. ${String(pair.key.value)}: \${REDIS_PASSWORD}; secrets never go in probes/*.yaml`,
          }),
        );
      }
    },
    Scalar(_, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const written = node.value;
      node.value = node.value.replace(REFERENCE, (match, name: string | undefined) => {
        if (match === '$${') return '${';
        const [, variable, fallback] = /^([^:]*)(?::-(.*))?$/s.exec(name ?? '') ?? [];
        if (variable === undefined || !NAME.test(variable)) {
          problems.push(
            new StatuspostError('SP_CONFIG_INVALID', `"${match}" is not a valid environment reference`, {
              at: positionOfNode(source, node),
              hint: 'names are letters, digits and underscores, e.g. ${REDIS_PASSWORD} or ${REDIS_PORT:-6379}; write $${ for a literal "${"',
            }),
          );
          return match;
        }
        const found = env[variable];
        if (found === undefined) {
          // A default is written in the file, so it is no secret.
          if (fallback !== undefined) return fallback;
          unexpanded.add(node);
          problems.push(
            new StatuspostError('SP_ENV_MISSING', `environment variable ${variable} is not set`, {
              at: positionOfNode(source, node),
              hint: `set ${variable} in the environment of statuspost, or give a default: \${${variable}:-value}; secrets never go in probes/*.yaml`,
            }),
          );
          return '';
        }
        if (found.length > 0) secrets.push(found);
        expanded.set(node, written);
        if (!variables.has(found)) variables.set(found, variable);
        return found;
      });
    },
  });
  return { problems, secrets, unexpanded, expanded, variables };
}
