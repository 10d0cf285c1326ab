// For policy authors: check a policy before publishing it, and ask why a request is permitted or denied.
//   POST /policies/check     {policy}            → {ok, problems: [{code, severity, pointer, message}]}
//   POST /policies/evaluate  {policy, request}   → {decision, code, reason, explanation}
// Both are pure policy-engine calls: nothing is stored.
import { Router } from 'express';
import { checkPolicy, explain, reasonOf, type EvaluationRequest } from '../../policies/index.js';
import { HttpProblem } from '../http/problem.js';
import { Input } from './input.js';

export function policyRoutes(): Router {
  const router = Router();
  router.post('/policies/check', async (req, res) => {
    const input = new Input(req);
    const policy = input.object('policy');
    if (policy === undefined) input.string('policy', true); // records "/policy is required"
    input.check('policy check');
    const result = await checkPolicy(policy);
    res.json({
      ok: result.ok,
      problems: result.report.map((p) => ({
        code: p.code,
        severity: p.severity,
        pointer: p.path,
        message: p.message,
      })),
    });
  });
  router.post('/policies/evaluate', async (req, res) => {
    const input = new Input(req);
    const policy = input.object('policy');
    const request = input.object('request');
    if (policy === undefined) input.string('policy', true);
    if (request === undefined) input.string('request', true);
    input.check('evaluation');
    const checked = await checkPolicy(policy);
    if (!checked.ok) {
      throw new HttpProblem(
        400,
        'invalid-policy',
        'the policy does not compile, so it would deny every request; fix the errors first',
        checked.problems.map((p) => ({ pointer: `/policy${p.path}`, reason: p.message })),
      );
    }
    const decision = checked.policy.evaluate(request as unknown as EvaluationRequest);
    res.json({
      decision: decision.decision,
      code: decision.code,
      reason: reasonOf(decision),
      explanation: explain(decision),
    });
  });
  return router;
}
