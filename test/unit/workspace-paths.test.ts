import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvironmentPathError, type EnvironmentHandle } from '../../activities/environment/provider';
import { WorkspaceProvider } from '../../activities/environment/workspace-provider';

describe('WorkspaceProvider.resolveInside (paths the agent gives)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-paths-'));
  const provider = new WorkspaceProvider(root);
  let handle: EnvironmentHandle;

  beforeAll(async () => {
    handle = await provider.prepare({ runId: 'run-1' });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test.each([
    ['.', ''],
    ['a.txt', 'a.txt'],
    ['./src/index.ts', 'src/index.ts'],
    ['src/../README.md', 'README.md'],
    ['deep/a/../../b', 'b'],
    ['..hidden', '..hidden'],
  ])('%j stays inside, at %j', (given, inside) => {
    expect(provider.resolveInside(handle, given)).toBe(path.join(handle.workdir, inside));
  });

  test.each([
    ['the parent', '..'],
    ['a file beside the workspace', '../run-2/secret.txt'],
    ['a climb hidden behind a folder', 'src/../../run-2'],
    ['a deep climb', '../../../../../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['the filesystem root', '/'],
    // Shares the workspace's path as a string prefix: only a separator-aware check refuses it.
    ['a sibling whose name starts like the workspace', '../run-1-evil/x'],
    ['an absolute sibling with the same prefix', `${root}/run-1-evil`],
  ])('refuses %s (%j)', (_what, given) => {
    expect(() => provider.resolveInside(handle, given)).toThrow(EnvironmentPathError);
    expect(() => provider.resolveInside(handle, given)).toThrow(`path ${given} is outside the workspace`);
  });

  test('file operations refuse escapes before touching the disk', async () => {
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    // Some operations throw before returning their promise; callers await them inside try, so both count.
    const attempt = (op: () => Promise<unknown>) => (async () => op())();
    await expect(attempt(() => provider.readFile(handle, '../secret.txt'))).rejects.toThrow(EnvironmentPathError);
    await expect(attempt(() => provider.writeFile(handle, '../planted.txt', 'x'))).rejects.toThrow(
      EnvironmentPathError,
    );
    expect(fs.existsSync(path.join(root, 'planted.txt'))).toBe(false);
    await expect(attempt(() => provider.listFiles(handle, '..', { recursive: false, limit: 10 }))).rejects.toThrow(
      EnvironmentPathError,
    );
    await expect(
      attempt(() => provider.exec(handle, 'touch escaped', { cwd: '..', timeoutMs: 5_000, outputCapBytes: 1024 })),
    ).rejects.toThrow(EnvironmentPathError);
    expect(fs.existsSync(path.join(root, 'escaped'))).toBe(false);
  });

  test('environment ids that are not plain names are refused, so a run id cannot pick another folder', async () => {
    await expect(provider.prepare({ runId: '../escape' })).rejects.toThrow(EnvironmentPathError);
    await expect(provider.attach({ provider: 'workspace', id: 'a/b' })).rejects.toThrow(EnvironmentPathError);
    await expect(provider.destroy({ provider: 'workspace', id: 'x/../..' })).rejects.toThrow(EnvironmentPathError);
    // '.' and '..' are made of allowed characters but name the workspaces folder and the data folder.
    await expect(provider.destroy({ provider: 'workspace', id: '..' })).rejects.toThrow(EnvironmentPathError);
    await expect(provider.destroy({ provider: 'workspace', id: '.' })).rejects.toThrow(EnvironmentPathError);
    await expect(provider.attach({ provider: 'workspace', id: '...' })).rejects.toThrow(EnvironmentPathError);
    expect(fs.existsSync(root)).toBe(true);
  });
});
