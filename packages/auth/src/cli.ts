/**
 * Flock credentials from the command line.
 *
 *   pnpm auth keys create --name NAME (--buckets a,b | --all-buckets) [--admin | --tenant-admin]
 *   pnpm auth keys list
 *   pnpm auth keys revoke --name NAME
 *   pnpm auth token --sub USER --buckets a,b|* [--tenant-admin] [--ttl 1h]
 *
 * Keys live in FLOCK_API_KEYS_FILE (default ./data/api-keys.json) as hashes; a new key
 * is printed once and cannot be shown again. Tokens are signed with FLOCK_JWT_SECRET,
 * for development: production tokens come from your identity provider.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ApiKeyFile } from './api-keys';
import { isValidBucketId } from '@flock/schema';
import type { BucketGrant } from './principal';

const USAGE = `usage:
  pnpm auth keys create --name NAME (--buckets a,b | --all-buckets) [--admin | --tenant-admin]
  pnpm auth keys list
  pnpm auth keys revoke --name NAME
  pnpm auth token --sub USER --buckets a,b|'*' [--tenant-admin] [--ttl 1h]
  (--tenant-admin: may manage the glossary, examples and feedback of those buckets)
options: --file PATH (keys file; default $FLOCK_API_KEYS_FILE or ./data/api-keys.json)`;

class UsageError extends Error {}

function grant(buckets: string | undefined, all: boolean | undefined): BucketGrant {
  if (all || buckets === '*') return '*';
  if (!buckets) throw new UsageError('give --buckets a,b or --all-buckets');
  const list = buckets.split(',').map((b) => b.trim());
  const bad = list.find((b) => !isValidBucketId(b));
  if (bad !== undefined) throw new UsageError(`not a bucket id: '${bad}'`);
  return list;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      buckets: { type: 'string' },
      'all-buckets': { type: 'boolean' },
      admin: { type: 'boolean' },
      'tenant-admin': { type: 'boolean' },
      file: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      help: { type: 'boolean' },
    },
  });
  const [group, action] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return;
  }
  const file = new ApiKeyFile(values.file ?? process.env.FLOCK_API_KEYS_FILE ?? './data/api-keys.json');

  if (group === 'keys' && action === 'create') {
    if (!values.name) throw new UsageError('give --name');
    const { key, record } = await file.create({
      name: values.name,
      buckets: grant(values.buckets, values['all-buckets']),
      admin: values.admin ?? false,
      tenantAdmin: values['tenant-admin'] ?? false,
    });
    console.error(
      `created key '${record.name}' (buckets: ${JSON.stringify(record.buckets)}, admin: ${record.admin}, tenant admin: ${record.tenantAdmin ?? false}) in ${file.file}`,
    );
    console.error('the key is shown once; store it now:');
    console.log(key);
  } else if (group === 'keys' && action === 'list') {
    for (const k of file.read())
      console.log(
        `${k.name}\tbuckets=${JSON.stringify(k.buckets)}\tadmin=${k.admin}\ttenant_admin=${k.tenantAdmin ?? false}\tcreated=${k.createdAt}`,
      );
  } else if (group === 'keys' && action === 'revoke') {
    if (!values.name) throw new UsageError('give --name');
    if (!(await file.revoke(values.name))) throw new UsageError(`no key named '${values.name}'`);
    console.error(`revoked '${values.name}'`);
  } else if (group === 'token') {
    const secret = process.env.FLOCK_JWT_SECRET;
    if (!secret || secret.length < 32) throw new UsageError('set FLOCK_JWT_SECRET (at least 32 characters) to sign tokens');
    if (!values.sub) throw new UsageError('give --sub');
    const buckets = grant(values.buckets, values['all-buckets']);
    const token = await new SignJWT({
      buckets: buckets === '*' ? ['*'] : [...buckets],
      ...(values['tenant-admin'] ? { tenant_admin: true } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(values.sub)
      .setIssuedAt()
      .setExpirationTime(values.ttl)
      .sign(new TextEncoder().encode(secret));
    console.log(token);
  } else {
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `${message}\n${USAGE}` : message);
  process.exit(2);
});
