// Evidence: the connector's tamper-evident log, filtered by an agreement or a transfer (the entry's
// subject), each entry with its inclusion proof in the latest checkpoint, a verification of the whole
// log (exported and checked as an auditor would), and the checkpoints with the authority's
// countersignatures.
import { exportEvidence, proveEntry, verifyEvidenceExport } from '../evidence/index.js';
import { HttpProblem } from '../http/problem.js';
import { encodeSegment } from '../http/text.js';
import { query, type ConsoleApp } from './app.js';
import { csrfField, html, reasonText, stateLabel, timeTag } from './kit/index.js';

export function evidencePages(app: ConsoleApp): void {
  const { services } = app.deps;
  const { log, scheduler } = services;

  app.page('/evidence', async (req, ctx) => {
    const subject = query(req, 'subject');
    const [entries, size, latest] = await Promise.all([
      log.entries({ ...(subject ? { subject } : {}), limit: 200 }),
      log.size(),
      log.latestCheckpoint(),
    ]);
    const { t } = ctx;
    return {
      title: t('Evidence'),
      body: html`<h1>${t('Evidence')}</h1>
        <div class="card" id="checkpoint">
          <p>${t('The log holds {n} entries.', { n: size })}</p>
          ${
            latest
              ? html`<p>
                  ${t('Latest checkpoint: {n} entries, made', { n: latest.size })} ${timeTag(latest.time)};
                  ${
                    latest.countersignatures.length
                      ? t('countersigned by the authority')
                      : t('not yet countersigned by the authority')
                  }
                </p>`
              : html`<p>${t('No checkpoint yet.')}</p>`
          }
          <form method="post" action="${app.base}/evidence/verify" class="inline">
            ${csrfField(ctx)}<button>${t('Verify the whole log')}</button>
          </form>
          <form method="post" action="${app.base}/evidence/checkpoint" class="inline">
            ${csrfField(ctx)}<button class="secondary">${t('Checkpoint now')}</button>
          </form>
        </div>
        <form method="get" action="${app.base}/evidence" class="inline">
          <label>${t('Agreement or transfer id')} <input name="subject" value="${subject}" size="40" /></label
          ><button>${t('Filter')}</button>
        </form>
        <div class="scroll">
          <table id="evidence">
            <tr>
              <th>#</th>
              <th>${t('When')}</th>
              <th>${t('Kind')}</th>
              <th>${t('Subject')}</th>
              <th></th>
            </tr>
            ${entries.map(
              (e) =>
                html`<tr>
                  <td>${e.seq}</td>
                  <td>${timeTag(e.at)}</td>
                  <td>${stateLabel(ctx, e.kind)}</td>
                  <td>${e.subject}</td>
                  <td><a href="${app.base}/evidence/${e.seq}">${t('Proof')}</a></td>
                </tr>`,
            )}
          </table>
        </div>`,
    };
  });

  app.page('/evidence/:seq', async (req, ctx) => {
    const seq = Number(req.params.seq);
    const entry = Number.isSafeInteger(seq) && seq >= 0 ? await log.entry(seq) : undefined;
    if (!entry) throw new HttpProblem(404, 'entry-not-found', ctx.t('No such entry.'));
    const latest = await log.latestCheckpoint();
    if (latest === undefined || latest.size <= seq) await scheduler.runOnce();
    const proof = await proveEntry(log, seq);
    const { t } = ctx;
    return {
      title: t('Evidence'),
      body: html`<h1>${t('Entry {n}', { n: seq })}</h1>
        <p>
          <a href="${app.base}/evidence?subject=${encodeSegment(entry.subject)}">${entry.subject}</a> ·
          ${stateLabel(ctx, entry.kind)} · ${timeTag(entry.at)}
        </p>
        <h2>${t('Entry')}</h2>
        <pre>${JSON.stringify(entry, null, 2)}</pre>
        <h2>${t('Inclusion proof')}</h2>
        <pre id="proof">${JSON.stringify(proof, null, 2)}</pre>`,
    };
  });

  app.action('/evidence/verify', async (_req, ctx) => {
    const report = await verifyEvidenceExport(await exportEvidence(log));
    const failed = report.failures.map((f) => f.reason).join('; ');
    return {
      to: `${app.base}/evidence`,
      flash: report.ok
        ? ctx.t('Verified: {subject}. Every check passed.', { subject: report.subject })
        : ctx.t('Verification FAILED: {reason}', { reason: reasonText(ctx, failed) }),
    };
  });

  app.action('/evidence/checkpoint', async (_req, ctx) => {
    await scheduler.runOnce();
    const latest = await log.latestCheckpoint();
    return {
      to: `${app.base}/evidence`,
      flash: ctx.t('Latest checkpoint: {n} entries.', { n: latest?.size ?? 0 }),
    };
  });
}
