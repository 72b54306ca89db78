import { Body, Controller, Get, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Roles } from '../auth/decorators';
import { ConflictError } from '../common/domain-errors';
import { flash } from '../common/flash';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { FormView } from '../common/decorators';
import { parseId, PathId } from '../common/ids';
import { WebhookEndpointDto } from './dto/webhook-endpoint.dto';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { endpointView, WEBHOOKS_PATH, webhooksView } from './webhooks-view';

declare module 'express-session' {
  interface SessionData {
    // The signing secret just made or rotated: shown on the next view of its endpoint, then gone.
    webhookSecret?: { endpointId: number; secret: string };
  }
}

const LIST_VIEW = 'webhooks/index';
const ENDPOINT_VIEW = 'webhooks/endpoint';

const listAgain: FormViewResolver<WebhooksController> = (req, _error, controller) => controller.listData(req);
const endpointAgain: FormViewResolver<WebhooksController> = (req, _error, controller) =>
  controller.endpointData(req, parseId(req.params.id) ?? 0, {});

// Webhooks, for the broker's admins: the endpoints and a form to register one; each endpoint's settings, secret,
// test event and delivery log.
@Controller(WEBHOOKS_PATH.slice(1))
@Roles('admin')
export class WebhooksController {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  @Get()
  @Render(LIST_VIEW)
  list(@Req() req: Request) {
    return this.listData(req);
  }

  @Post()
  @FormView(LIST_VIEW, listAgain)
  @Redirect(WEBHOOKS_PATH, 303)
  async create(@Req() req: Request, @Body() dto: WebhookEndpointDto) {
    const { endpoint, secret } = await this.endpoints.create(dto);
    req.session.webhookSecret = { endpointId: endpoint.id, secret };
    flash(req, 'success', `The endpoint ${endpoint.url} is registered.`);
    return { url: `${WEBHOOKS_PATH}/${endpoint.id}` };
  }

  @Get(':id')
  @Render(ENDPOINT_VIEW)
  endpoint(@Req() req: Request, @PathId('id') id: number, @Query() query: Record<string, unknown>) {
    return this.endpointData(req, id, query);
  }

  @Post(':id')
  @FormView(ENDPOINT_VIEW, endpointAgain)
  @Redirect(WEBHOOKS_PATH, 303)
  async update(@Req() req: Request, @PathId('id') id: number, @Body() dto: WebhookEndpointDto) {
    const endpoint = await this.endpoints.update(id, dto);
    flash(req, 'success', `The endpoint ${endpoint.url} is saved.`);
    return { url: `${WEBHOOKS_PATH}/${id}` };
  }

  @Post(':id/rotate-secret')
  @Redirect(WEBHOOKS_PATH, 303)
  async rotate(@Req() req: Request, @PathId('id') id: number) {
    const { secret } = await this.endpoints.rotateSecret(id);
    req.session.webhookSecret = { endpointId: id, secret };
    flash(req, 'success', 'A new signing secret is in force: the old one no longer signs anything.');
    return { url: `${WEBHOOKS_PATH}/${id}` };
  }

  @Post(':id/delete')
  @Redirect(WEBHOOKS_PATH, 303)
  async delete(@Req() req: Request, @PathId('id') id: number) {
    const endpoint = await this.endpoints.delete(id);
    flash(req, 'success', `The endpoint ${endpoint.url} is deleted, with its delivery log.`);
  }

  @Post(':id/test')
  @Redirect(WEBHOOKS_PATH, 303)
  async test(@Req() req: Request, @PathId('id') id: number) {
    await this.refusalAsMessage(req, async () => {
      const messageId = await this.endpoints.sendTest(id);
      flash(req, 'success', `A test event (${messageId}) is queued: its attempt appears in the log below.`);
    });
    return { url: `${WEBHOOKS_PATH}/${id}` };
  }

  @Post(':id/messages/:message/redeliver')
  @Redirect(WEBHOOKS_PATH, 303)
  async redeliver(@Req() req: Request, @PathId('id') id: number, @PathId('message') message: number) {
    await this.refusalAsMessage(req, async () => {
      const messageId = await this.endpoints.redeliver(id, message);
      flash(req, 'success', `Message ${messageId} is queued again, with the same webhook-id.`);
    });
    return { url: `${WEBHOOKS_PATH}/${id}` };
  }

  async listData(req: Request) {
    return webhooksView(await this.endpoints.list(), req.body as Record<string, unknown> | undefined);
  }

  async endpointData(req: Request, id: number, query: Record<string, unknown>) {
    const endpoint = await this.endpoints.get(id);
    const cursor = { before: parseId(query.before) ?? undefined, after: parseId(query.after) ?? undefined };
    const log = await this.endpoints.log(id, cursor);
    const shown = req.session.webhookSecret;
    let secret: string | null = null;
    if (shown?.endpointId === id && req.method === 'GET') {
      secret = shown.secret;
      delete req.session.webhookSecret;
    }
    return endpointView(endpoint, log, secret, req.method === 'POST' ? (req.body as Record<string, unknown>) : null);
  }

  // A button without a form of its own: the refusal it expects becomes the one-time message.
  private async refusalAsMessage(req: Request, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, 'error', error.message);
    }
  }
}
