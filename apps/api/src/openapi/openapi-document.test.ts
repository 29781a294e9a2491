import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMITTED_OPENAPI_PATH, committedOpenApi } from './committed';

const ROOT = path.resolve(__dirname, '../../../..');

describe('the OpenAPI document', () => {
  // On failure: run `pnpm openapi` and commit what it rewrites.
  it('is committed as docs/openapi.json exactly as the code generates it', () => {
    expect(readFileSync(path.join(ROOT, COMMITTED_OPENAPI_PATH), 'utf8')).toBe(committedOpenApi());
  });

  it('keeps its operation ids: a typed client is generated from them', () => {
    const document = JSON.parse(committedOpenApi()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(ids.sort()).toEqual(
      [
        'askSubmit',
        'askPoll',
        'askEvents',
        'askChart',
        'queryAllSubmit',
        'queryAllPoll',
        'queryAllEvents',
        'listTables',
        'describeTable',
        'runQuery',
        'askFeedback',
        'knowledgeRead',
        'glossaryDefine',
        'glossaryRemove',
        'exampleAdd',
        'exampleRemove',
        'feedbackList',
        'feedbackDismiss',
        'feedbackPromote',
        'live',
        'ready',
        'metrics',
        'openApi',
        'docs',
      ].sort(),
    );
  });
});
