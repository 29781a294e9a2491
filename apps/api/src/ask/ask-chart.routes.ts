import { Router } from 'express';
import { renderSvg, type ChartSpec } from '@flock/charts';
import { NotFoundError } from '@flock/errors';
import { ownerOf } from '../auth/job-owner';
import { bucketParam, jobIdParam } from '../http/params';
import { validate } from '../http/validate';
import type { AskService } from './ask.service';

/**
 * The SVG is drawn from a tenant's data and may be opened straight in a browser tab: it
 * may run nothing and load nothing; vega's inline styles are all it needs.
 */
const SVG_HEADERS = {
  'Content-Type': 'image/svg+xml; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
};

/** A completed answer's `meta.chart`, drawn on the server, for people who would rather look than read. */
export function askChartRoutes(service: AskService): Router {
  const router = Router();

  // The poll's authorisation: a job the caller may not see is as unknown as one that never was.
  router.get('/api/v1/:bucket/ask/jobs/:jobId/chart.svg', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const jobId = jobIdParam(req.params.jobId);
    const { status, result } = await service.get(bucket, jobId, ownerOf(req.principal!));
    const chart = status === 'completed' ? (result?.meta.chart as ChartSpec | undefined) : undefined;
    if (!result || !chart) throw new NotFoundError(`No chart for job: ${jobId}`);
    // Bounded: a chart is suggested only for results of at most MAX_CHART_ROWS rows.
    const svg = await renderSvg(chart, result.columns, result.rows);
    res.set(SVG_HEADERS).send(svg);
  });

  return router;
}
