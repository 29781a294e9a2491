import { Router } from 'express';
import { ownerOf } from '../auth/job-owner';
import { requireTenantAdmin } from '../auth/authorize.middleware';
import { bucketParam, jobIdParam } from '../http/params';
import { validate } from '../http/validate';
import { presentExample, presentFeedback, presentKnowledge, presentTerm } from './knowledge.presenter';
import { entryIdParam, exampleBody, feedbackBody, feedbackQuery, glossaryBody, termParam } from './knowledge.schema';
import type { KnowledgeService } from './knowledge.service';

/**
 * A bucket's glossary, examples and feedback. Bucket access is checked before these
 * run; reading the glossary and examples is open to anyone who may ask the bucket,
 * changing them and reading feedback needs a tenant admin (or an admin).
 */
export function knowledgeRoutes(service: KnowledgeService): Router {
  const router = Router();

  router.get('/api/v1/:bucket/knowledge', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    res.json(presentKnowledge(await service.read(bucket)));
  });

  router.put('/api/v1/:bucket/knowledge/glossary/:term', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const term = validate(termParam, req.params.term);
    const definition = validate(glossaryBody, req.body);
    res.json(presentTerm(await service.defineTerm(bucket, term, definition, ownerOf(req.principal!))));
  });

  router.delete('/api/v1/:bucket/knowledge/glossary/:term', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    await service.removeTerm(bucket, validate(termParam, req.params.term));
    res.status(204).end();
  });

  router.post('/api/v1/:bucket/knowledge/examples', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { question, sql } = validate(exampleBody, req.body);
    res.status(201).json(presentExample(await service.addExample(bucket, question, sql, ownerOf(req.principal!))));
  });

  router.delete('/api/v1/:bucket/knowledge/examples/:id', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    await service.removeExample(bucket, validate(entryIdParam, req.params.id));
    res.status(204).end();
  });

  router.get('/api/v1/:bucket/knowledge/feedback', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { status } = validate(feedbackQuery, req.query);
    const entries = (await service.read(bucket)).feedback.filter((entry) => !status || entry.status === status);
    res.json({ data: entries });
  });

  router.post('/api/v1/:bucket/knowledge/feedback/:id/promote', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const id = validate(entryIdParam, req.params.id);
    res.status(201).json(presentExample(await service.promote(bucket, id, ownerOf(req.principal!))));
  });

  router.delete('/api/v1/:bucket/knowledge/feedback/:id', requireTenantAdmin, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    await service.dismiss(bucket, validate(entryIdParam, req.params.id));
    res.status(204).end();
  });

  // Any asker, on their own job (the poll's visibility rule): feedback outlives the job's record.
  router.post('/api/v1/:bucket/ask/jobs/:jobId/feedback', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const jobId = jobIdParam(req.params.jobId);
    const input = validate(feedbackBody, req.body);
    res.status(201).json(presentFeedback(await service.giveFeedback(bucket, jobId, input, ownerOf(req.principal!))));
  });

  return router;
}
