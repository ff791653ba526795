/**
 * Registry credentials for pulling an environment's image: by reference to a secret named after the registry
 * (`REGISTRY_AUTH_GHCR_IO` = `user:token` for ghcr.io), or from the host's configuration (`AMBIT_REGISTRY_AUTH`).
 */

export interface RegistryCredential {
  username: string;
  password: string;
  serveraddress?: string;
}

/** The registry an image reference pulls from: its first component when that names a host, else Docker Hub. */
export function registryHostOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/** The secret a run's credentials for `host` are read from: `REGISTRY_AUTH_` and the host, upper-cased, `_` for the rest. */
export function registrySecretName(host: string): string {
  return `REGISTRY_AUTH_${host.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** `user:password` (the password may contain colons) as a credential for `host`; undefined when malformed. */
export function parseRegistryCredential(value: string, host: string): RegistryCredential | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) return undefined;
  return {
    username: value.slice(0, colon),
    password: value.slice(colon + 1).replace(/\r?\n$/, ''),
    serveraddress: host,
  };
}
