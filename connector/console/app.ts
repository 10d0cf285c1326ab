// The participant console's plumbing: what every page handler gets (the connector's own services,
// called in-process), pages that need a signed-in operator, and form actions that pass the kit's CSRF
// and origin guard, run, and come back to a page with a one-time notice.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import { HttpProblem } from '../http/problem.js';
import { managementProblem } from '../management/errors.js';
import type { DataServices } from '../process/data-services.js';
import type { ProductRegistrations } from '../products/index.js';
import type { RunningConnector } from '../process/connector.js';
import { encodeSegment } from '../http/text.js';
import { DataPlaneError } from '../dataplane/errors.js';
import {
  html,
  problemText,
  reasonText,
  type ConsoleContext,
  type ConsoleKit,
  type Html,
} from './kit/index.js';

export interface ParticipantServices {
  readonly connector: RunningConnector;
  readonly plane: ControlPlane;
  readonly services: DataServices;
  /** Data-product registration at the authority (the management API's /products). */
  readonly products: ProductRegistrations;
}

export interface PageResult {
  readonly title: string;
  readonly body: Html;
  readonly status?: number;
}

export type PageHandler = (req: Request, ctx: ConsoleContext) => Promise<PageResult>;
/** Runs the form's action; answers where to go next and the notice to show there. */
export type ActionHandler = (
  req: Request,
  ctx: ConsoleContext,
) => Promise<{ readonly to: string; readonly flash?: string }>;

export class ConsoleApp {
  readonly router = Router();
  readonly form = express.urlencoded({ extended: false, limit: '64kb' });

  constructor(
    readonly kit: ConsoleKit,
    readonly deps: ParticipantServices,
  ) {}

  get base(): string {
    return this.kit.base;
  }

  page(path: string, handler: PageHandler): void {
    this.router.get(`${this.base}${path}`, (async (req: Request, res: Response) => {
      const ctx = this.kit.context(req, res);
      if (!ctx.user)
        return void res.redirect(303, `${this.base}/login?next=${encodeSegment(req.originalUrl)}`);
      const notice = this.kit.takeNotice(ctx);
      let result: PageResult;
      try {
        result = await handler(req, ctx);
      } catch (error) {
        result = {
          title: ctx.t('Refused'),
          body: html`<p><a href="${this.base}">${ctx.t('Back')}</a></p>`,
          status: statusOf(error),
        };
        this.kit.send(res, result.status ?? 400, ctx, result.title, result.body, {
          error: describe(ctx, error),
        });
        return;
      }
      this.kit.send(res, result.status ?? 200, ctx, result.title, result.body, notice);
    }) as RequestHandler);
  }

  action(path: string, handler: ActionHandler, parsers: readonly RequestHandler[] = [this.form]): void {
    this.router.post(`${this.base}${path}`, ...parsers, this.kit.guard, (async (
      req: Request,
      res: Response,
    ) => {
      const ctx = this.kit.context(req, res);
      if (!ctx.user) return void res.redirect(303, `${this.base}/login`);
      const back = this.kit.safeNext(
        field(req, '_back') || req.headers.referer?.replace(/^https?:\/\/[^/]+/, ''),
      );
      try {
        const { to, flash } = await handler(req, ctx);
        if (flash) this.kit.notify(ctx, { flash });
        res.redirect(303, this.kit.safeNext(to));
      } catch (error) {
        this.kit.notify(ctx, { error: describe(ctx, error) });
        res.redirect(303, back);
      }
    }) as RequestHandler);
  }
}

/** A form field as trimmed text ('' when absent). */
export function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** A query parameter as text ('' when absent or repeated). */
export function query(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** Comma- or space-separated values of a field. */
export function listField(text: string): string[] {
  return text
    .split(/[,\s，]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function statusOf(error: unknown): number {
  const mapped = managementProblem(error);
  return mapped instanceof HttpProblem ? mapped.status : 400;
}

/** Why an action failed, for the operator (who may see the connector's own reasons), in their language. */
export function describe(ctx: ConsoleContext, error: unknown): string {
  const mapped = managementProblem(error);
  if (mapped instanceof HttpProblem) return problemText(ctx, mapped);
  if (mapped instanceof DataPlaneError) return problemText(ctx, mapped);
  return reasonText(ctx, mapped instanceof Error ? mapped.message : String(mapped));
}
