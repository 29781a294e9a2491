export { BUCKET_ID_PART, BUCKET_ID_PATTERN, isValidBucketId } from './bucket-id';
export {
  findTable,
  type ColumnInfo,
  type ColumnKind,
  type ForeignKeyInfo,
  type FoundValue,
  type SchemaContext,
  type TableInfo,
} from './schema-context';
export { kindOf } from './column-kind';
export { quoteIdent, quoteLiteral } from './sql-text';
export { SIZE_PATTERN, sizeInBytes } from './size';
