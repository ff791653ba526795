/**
 * The CLI's share of the environment, read here because `src/config` is the only place that reads `process.env`.
 * Values are returned raw (empty means unset): the CLI validates them together with its flags, so a message can
 * name whichever of the flag or the variable supplied the bad value.
 */
export interface CliEnv {
  /** AMBIT_API_URL: where the API server listens. */
  apiUrl?: string;
  /** AMBIT_API_KEY: bearer key sent to the API. */
  apiKey?: string;
  /** NO_COLOR (https://no-color.org) turns colours off even on a terminal. */
  noColor: boolean;
  /** CI and GITHUB_* variables (GitHub Actions sets them), which `ambit run --ci` turns into run context. */
  ciVars?: Record<string, string>;
  /**
   * The whole environment, handed unchanged to processes the CLI starts (`ambit worker`), which validate it with
   * the platform's own config schema.
   */
  passthrough: NodeJS.ProcessEnv;
}

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const value = (name: string): string | undefined => {
    const v = source[name]?.trim();
    return v ? v : undefined;
  };
  return {
    apiUrl: value('AMBIT_API_URL'),
    apiKey: value('AMBIT_API_KEY'),
    noColor: value('NO_COLOR') !== undefined,
    ciVars: Object.fromEntries(
      Object.keys(source)
        .filter((k) => k === 'CI' || k.startsWith('GITHUB_'))
        .map((k) => [k, value(k)])
        .filter((e): e is [string, string] => e[1] !== undefined),
    ),
    passthrough: { ...source },
  };
}
