import request from 'supertest';
import { ScriptedEngineStandIn, chartMarks, chartYLabels, mintToken, referenceRows, writeChartPng } from '@flock/testing';
import { asAdmin, settle, submit, useHarness } from './support/flock-harness';

/**
 * Charts (issue 13, part 5) through the real API, an in-process worker, Redis and the
 * demo warehouses: the worker attaches `meta.chart` to an answer that suits one, and
 * GET …/chart.svg draws it with the poll's authorisation.
 */
const chartUrl = (bucket: string, jobId: string) => `/api/v1/${bucket}/ask/jobs/${jobId}/chart.svg`;
const notFound = (message: string) => ({ error: { code: 'not_found', message } });

/** GET chart.svg with supertest reading the SVG as text, whatever its content type. */
const getChart = (req: request.Test) =>
  req.buffer(true).parse((res, done) => {
    let text = '';
    res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    res.on('end', () => done(null, text));
  });

describe('charts with the built-in generator', () => {
  const flock = useHarness();

  it('charts "How many members by type?" as sorted bars and serves them as a safe SVG', async () => {
    const jobId = await submit(flock.app, 'example', 'How many members by type?');
    const body = await settle(flock.app, 'example', jobId);
    expect(body.data.columns).toEqual(['membership_type', 'count']);
    expect(body.meta.chart).toMatchObject({
      usermeta: { kind: 'bar' },
      data: { name: 'result' },
      encoding: { y: { field: 'membership_type', sort: '-x' }, x: { field: 'count', type: 'quantitative' } },
    });
    // The spec names columns; the rows stay in the answer only.
    expect(JSON.stringify(body.meta.chart)).not.toContain(String(body.data.rows[0][0]));

    const res = await getChart(asAdmin(request(flock.app).get(chartUrl('example', jobId))));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const svg = res.body as string;
    expect(svg).toMatch(/^<svg /);
    const expected = (await referenceRows('example', 'SELECT membership_type FROM member GROUP BY 1 ORDER BY count(*) DESC')) as [string][];
    expect(chartMarks(svg, 'rect')).toBe(expected.length);
    expect(chartYLabels(svg)).toEqual(expected.map(([type]) => type));
    // The picture a person checks, and the README shows (docs/chart-example.png is a copy).
    writeChartPng('members-by-type', svg);
  });

  it('gives a one-value answer no chart, and its chart.svg is 404', async () => {
    const jobId = await submit(flock.app, 'example', 'How many active members do we have?');
    const body = await settle(flock.app, 'example', jobId);
    expect(body.data.status).toBe('completed');
    expect(body.meta).not.toHaveProperty('chart');
    const res = await asAdmin(request(flock.app).get(chartUrl('example', jobId)));
    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound(`No chart for job: ${jobId}`));
  });

  it("refuses what the poll refuses: an unknown job, another user's job, a bucket the caller may not use", async () => {
    const alice = `Bearer ${await mintToken({ sub: 'alice', buckets: ['example'] })}`;
    const bob = `Bearer ${await mintToken({ sub: 'bob', buckets: ['example'] })}`;
    const carol = `Bearer ${await mintToken({ sub: 'carol', buckets: ['jec'] })}`;
    const submitted = await request(flock.app)
      .post('/api/v1/example/ask')
      .set('Authorization', alice)
      .send({ question: 'How many members by type?' });
    const jobId = submitted.body.data.job_id as string;
    await settle(flock.app, 'example', jobId);
    const as = (auth: string, url: string) => request(flock.app).get(url).set('Authorization', auth);

    expect((await getChart(as(alice, chartUrl('example', jobId)))).status).toBe(200);
    const otherUser = await as(bob, chartUrl('example', jobId));
    expect(otherUser.status).toBe(404);
    expect(otherUser.body).toEqual(notFound(`Unknown job: ${jobId}`));
    const otherTenant = await as(carol, chartUrl('example', jobId));
    expect(otherTenant.status).toBe(403);
    expect(otherTenant.body).toEqual({ error: { code: 'forbidden', message: "Access denied to bucket 'example'" } });
    const otherBucket = await asAdmin(request(flock.app).get(chartUrl('jec', jobId)));
    expect(otherBucket.status).toBe(404);
    expect(otherBucket.body).toEqual(notFound(`Unknown job: ${jobId}`));
    const unknown = '00000000-0000-4000-8000-000000000000';
    const never = await asAdmin(request(flock.app).get(chartUrl('example', unknown)));
    expect(never.status).toBe(404);
    expect(never.body).toEqual(notFound(`Unknown job: ${unknown}`));
    const unauthenticated = await request(flock.app).get(chartUrl('example', jobId));
    expect(unauthenticated.status).toBe(401);
  });
});

describe('each chart kind, with a scripted generator writing the SQL', () => {
  // The SQL a question stands for: a time series, a distribution, a shape that suits nothing, a refusal.
  const sqlFor = {
    'payments by month': "SELECT date_trunc('month', paid_at) AS month, sum(amount) AS total FROM payment GROUP BY 1 ORDER BY 1",
    'payment amounts': 'SELECT amount FROM payment',
    'members by type and status': 'SELECT membership_type, status, count(*) AS n FROM member GROUP BY 1, 2',
    'delete everything': 'DELETE FROM member',
  };
  const flock = useHarness(() => ({ generator: new ScriptedEngineStandIn(sqlFor) }));

  const chartOf = async (question: string) => {
    const jobId = await submit(flock.app, 'example', question);
    const body = await settle(flock.app, 'example', jobId);
    const res = await getChart(asAdmin(request(flock.app).get(chartUrl('example', jobId))));
    return { jobId, body, res, svg: res.body as string };
  };

  it('draws a time series as a line with a point per month', async () => {
    const { body, res, svg } = await chartOf('payments by month');
    expect(body.meta.chart).toMatchObject({ usermeta: { kind: 'line' }, encoding: { x: { field: 'month', type: 'temporal' } } });
    expect(res.status).toBe(200);
    expect(chartMarks(svg, 'line')).toBe(1);
    expect(chartMarks(svg, 'symbol')).toBe(body.data.rows.length);
    writeChartPng('payments-by-month', svg);
  });

  it('draws one numeric column as a histogram', async () => {
    const { body, res, svg } = await chartOf('payment amounts');
    expect(body.meta.chart).toMatchObject({ usermeta: { kind: 'histogram' }, encoding: { x: { field: 'amount', bin: { maxbins: 30 } } } });
    expect(res.status).toBe(200);
    expect(chartMarks(svg, 'rect')).toBeGreaterThan(1);
    writeChartPng('payment-amounts', svg);
  });

  it('gives more than two columns no chart', async () => {
    const { jobId, body, res } = await chartOf('members by type and status');
    expect(body.data.status).toBe('completed');
    expect(body.meta).not.toHaveProperty('chart');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(notFound(`No chart for job: ${jobId}`));
  });

  it('answers 404 for a job that did not complete', async () => {
    const { jobId, body, res } = await chartOf('delete everything');
    expect(body.data.status).toBe('failed');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body as string)).toEqual(notFound(`No chart for job: ${jobId}`));
  });
});

describe('with FLOCK_CHARTS=false', () => {
  const flock = useHarness(() => ({ env: { FLOCK_CHARTS: 'false' } }));

  it('attaches no chart to an answer that would suit one, and chart.svg is 404', async () => {
    const jobId = await submit(flock.app, 'example', 'How many members by type?');
    const body = await settle(flock.app, 'example', jobId);
    expect(body.data.columns).toEqual(['membership_type', 'count']);
    expect(body.meta).not.toHaveProperty('chart');
    const res = await asAdmin(request(flock.app).get(chartUrl('example', jobId)));
    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound(`No chart for job: ${jobId}`));
  });
});
