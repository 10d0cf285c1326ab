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
  const { services, plane } = app.deps;
  const { log, scheduler } = services;

  /** An agreement's entries are its own, its negotiation's and its transfers' (as `evidence list --agreement`). */
  const subjectsOf = async (subject: string): Promise<string[]> => [
    subject,
    ...(await plane.negotiations.list({ agreementId: subject, limit: 10 })).map((n) => n.id),
    ...(await plane.transfers.list({ agreementId: subject, limit: 500 })).map((x) => x.id),
  ];

  app.page('/evidence', async (req, ctx) => {
    const subject = query(req, 'subject');
    const [entries, size, latest] = await Promise.all([
      subject
        ? subjectsOf(subject).then(async (subjects) =>
            (await Promise.all(subjects.map((s) => log.entries({ subject: s, limit: 200 }))))
              .flat()
              .sort((a, b) => a.seq - b.seq)
              .slice(0, 200),
          )
        : log.entries({ limit: 200 }),
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
          <a href="${app.base}/evidence/export" id="export" download>${t('Export the log (JSON)')}</a>
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

  // The whole log as an auditor gets it (`shuyu evidence export`), verifiable offline. Before
  // /evidence/:seq, which would take "export" for an entry number.
  app.router.get(`${app.base}/evidence/export`, async (req, res) => {
    const ctx = app.kit.context(req, res);
    if (!ctx.user) return void res.redirect(303, `${app.base}/login`);
    res.setHeader('content-disposition', 'attachment; filename="evidence-export.json"');
    res.type('application/json').send(JSON.stringify(await exportEvidence(log), null, 2));
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
