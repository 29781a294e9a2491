import { NotFoundError } from '@flock/errors';
import type { TenantCatalog } from '@flock/warehouse';

/** 404 for a bucket without a warehouse. Runs after the access check, so only callers allowed on the bucket learn this. */
export async function assertBucketExists(catalog: TenantCatalog, bucket: string): Promise<void> {
  if (!(await catalog.exists(bucket))) throw new NotFoundError(`Unknown bucket: ${bucket}`);
}
