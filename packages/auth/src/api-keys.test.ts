import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { withFrozenDate } from '@flock/testing';
import { ApiKeyAuthenticator, ApiKeyFile, hashApiKey } from './api-keys';

const file = () => new ApiKeyFile(path.join(os.tmpdir(), `flock-keys-${randomUUID()}.json`));

it('stores only the hash of a new key, in an owner-only file', async () => {
  const keys = file();
  const { key, record } = await keys.create({ name: 'ci', buckets: ['example'], admin: false });
  const text = readFileSync(keys.file, 'utf8');
  expect(key).toMatch(/^flk_[A-Za-z0-9_-]{43}$/);
  expect(text).not.toContain(key);
  expect(record.hash).toBe(hashApiKey(key));
  expect(statSync(keys.file).mode & 0o777).toBe(0o600);
  rmSync(keys.file);
});

it('authenticates stored and bootstrap keys, and nothing else', async () => {
  const keys = file();
  const { key } = await keys.create({ name: 'ci', buckets: ['example'], admin: false });
  const auth = new ApiKeyAuthenticator(keys, 'bootstrap-admin-key-0123456789');
  expect(auth.authenticate(key)).toEqual({ kind: 'api_key', id: `ci.${hashApiKey(key).slice(0, 8)}`, buckets: ['example'], admin: false });
  expect(auth.authenticate('bootstrap-admin-key-0123456789')).toEqual({
    kind: 'api_key',
    id: expect.stringMatching(/^admin\.[0-9a-f]{8}$/),
    buckets: '*',
    admin: true,
  });
  expect(auth.authenticate(`${key}x`)).toBeUndefined();
  expect(auth.authenticate('')).toBeUndefined();
  rmSync(keys.file);
});

it('stops accepting a revoked key without a restart', async () => {
  const keys = file();
  const { key } = await keys.create({ name: 'ci', buckets: '*', admin: false });
  const auth = new ApiKeyAuthenticator(keys);
  expect(auth.authenticate(key)?.id).toMatch(/^ci\./);
  expect(await keys.revoke('ci')).toBe(true);
  expect(await keys.revoke('ci')).toBe(false);
  await new Promise((r) => setTimeout(r, 1100));
  expect(auth.authenticate(key)).toBeUndefined();
  rmSync(keys.file);
});

it('refuses duplicate and malformed names', async () => {
  const keys = file();
  await keys.create({ name: 'ci', buckets: '*', admin: false });
  await expect(keys.create({ name: 'ci', buckets: '*', admin: false })).rejects.toThrow("A key named 'ci' already exists");
  await expect(keys.create({ name: '../x', buckets: '*', admin: false })).rejects.toThrow(/Key names/);
  rmSync(keys.file);
});

it('gives a file key named like the bootstrap admin key an identity of its own', async () => {
  const keys = file();
  const { key } = await keys.create({ name: 'admin', buckets: ['example'], admin: false });
  const auth = new ApiKeyAuthenticator(keys, 'bootstrap-admin-key-0123456789');
  expect(auth.authenticate(key)?.id).not.toBe(auth.authenticate('bootstrap-admin-key-0123456789')?.id);
  rmSync(keys.file);
});

it('keeps the last good keys, and says so once, when the file breaks', async () => {
  const keys = file();
  const { key } = await keys.create({ name: 'ci', buckets: '*', admin: false });
  const errors: string[] = [];
  const auth = new ApiKeyAuthenticator(keys, undefined, (message) => errors.push(message));
  expect(auth.authenticate(key)).toBeDefined();
  writeFileSync(keys.file, '{"keys": [ broken');
  await withFrozenDate(async (clock) => {
    for (let i = 0; i < 3; i++) {
      clock.advance(1_001); // past the once-a-second check
      expect(auth.authenticate(key)?.id).toMatch(/^ci\./);
    }
  });
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/Cannot read API keys file .*keeping the 1 key\(s\) last read/);
  rmSync(keys.file);
});
