/** Registry credentials for image pulls: which registry an image uses, the secret named after it, the config. */
import { withRegistryAuthFromSecrets } from '../../activities/environment-host';
import { ConfigError, loadConfig } from '../../src/config';
import { parseRegistryCredential, registryHostOf, registrySecretName } from '../../src/domain/registry';

describe('registry of an image', () => {
  test.each([
    ['ubuntu:24.04', 'docker.io'],
    ['library/node:22', 'docker.io'],
    ['acme/api:1', 'docker.io'],
    ['ghcr.io/acme/api:1', 'ghcr.io'],
    ['127.0.0.1:5000/acme/api:v1', '127.0.0.1:5000'],
    ['localhost/acme:dev', 'localhost'],
  ])('%s pulls from %s', (image, host) => {
    expect(registryHostOf(image)).toBe(host);
  });

  test('the secret for a registry is REGISTRY_AUTH_ and its host in environment-variable form', () => {
    expect(registrySecretName('ghcr.io')).toBe('REGISTRY_AUTH_GHCR_IO');
    expect(registrySecretName('127.0.0.1:5000')).toBe('REGISTRY_AUTH_127_0_0_1_5000');
  });

  test('a credential is user:password (colons allowed in the password, a trailing newline dropped)', () => {
    expect(parseRegistryCredential('bot:p:a:ss\n', 'ghcr.io')).toEqual({
      username: 'bot',
      password: 'p:a:ss',
      serveraddress: 'ghcr.io',
    });
    expect(parseRegistryCredential('no-colon', 'ghcr.io')).toBeUndefined();
    expect(parseRegistryCredential(':pw', 'ghcr.io')).toBeUndefined();
    expect(parseRegistryCredential('user:', 'ghcr.io')).toBeUndefined();
  });
});

describe('credentials from the run secrets', () => {
  const spec = { image: 'ghcr.io/acme/api:1' };
  test('the secret for the image registry becomes the pull credential', () => {
    expect(withRegistryAuthFromSecrets(spec, { REGISTRY_AUTH_GHCR_IO: 'bot:tok', OTHER: 'x' })).toEqual({
      image: 'ghcr.io/acme/api:1',
      registryAuth: { username: 'bot', password: 'tok', serveraddress: 'ghcr.io' },
    });
  });
  test('no secret for that registry, or credentials already in the spec: unchanged', () => {
    expect(withRegistryAuthFromSecrets(spec, { REGISTRY_AUTH_DOCKER_IO: 'a:b' })).toBe(spec);
    const given = { ...spec, registryAuth: { username: 'u', password: 'p' } };
    expect(withRegistryAuthFromSecrets(given, { REGISTRY_AUTH_GHCR_IO: 'bot:tok' })).toBe(given);
    expect(withRegistryAuthFromSecrets(spec, undefined)).toBe(spec);
  });
});

describe('AMBIT_REGISTRY_AUTH', () => {
  test('maps registry hosts to credentials', () => {
    const config = loadConfig({ AMBIT_REGISTRY_AUTH: '{"ghcr.io": "bot:tok", "127.0.0.1:5000": "u:p"}' });
    expect(config.host.registryAuth).toEqual({
      'ghcr.io': { username: 'bot', password: 'tok', serveraddress: 'ghcr.io' },
      '127.0.0.1:5000': { username: 'u', password: 'p', serveraddress: '127.0.0.1:5000' },
    });
  });

  test.each([
    ['not json', 'must be a JSON object'],
    ['["a:b"]', 'must be a JSON object'],
    ['{"ghcr.io": "no-colon"}', 'the value for "ghcr.io" must be "user:password"'],
    ['{"ghcr.io": 3}', 'the value for "ghcr.io" must be "user:password"'],
  ])('%s is refused, naming the variable and the fix', (value, message) => {
    let error: unknown;
    try {
      loadConfig({ AMBIT_REGISTRY_AUTH: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('AMBIT_REGISTRY_AUTH');
    expect((error as Error).message).toContain(message);
    // The credentials are never echoed back in the error.
    expect((error as Error).message).not.toContain('no-colon');
  });
});
