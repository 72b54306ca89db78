import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, Roles, type SignedInUser } from '../auth/decorators';
import { FormView } from '../common/decorators';
import type { FormViewResolver } from '../common/form-view.interceptor';
import { flash } from '../common/flash';
import { PathId } from '../common/ids';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { API_TOKEN_EXPIRY_CHOICES, API_TOKEN_EXPIRY_LABELS, API_TOKEN_STATUS_LABELS } from './api-token-expiry';
import { API_TOKEN_SCOPE_LABELS, API_TOKEN_SCOPES } from './api-token-scope';
import { ApiTokensService } from './api-tokens.service';
import { CreateApiTokenDto } from './dto/create-api-token.dto';

// A token just created, kept in the session for the one page view that shows it (post/redirect/get): the next
// view takes it out, so it is never shown again.
interface CreatedToken {
  name: string;
  scope: string;
  secret: string;
}

declare module 'express-session' {
  interface SessionData {
    createdApiToken?: CreatedToken;
  }
}

const PAGE = '/api-access';
const SCOPE_OPTIONS = API_TOKEN_SCOPES.map((value) => ({ value, label: API_TOKEN_SCOPE_LABELS[value] }));
const EXPIRY_OPTIONS = API_TOKEN_EXPIRY_CHOICES.map((value) => ({ value, label: API_TOKEN_EXPIRY_LABELS[value] }));
const NEW_TOKEN_DEFAULTS = { scope: 'read', expiry: '90' };

const refusedToken: FormViewResolver<ApiTokensController> = (req, _error, controller) =>
  controller.pageData(req.user as SignedInUser);

@Controller('api-access')
@Roles('admin')
export class ApiTokensController {
  constructor(
    private readonly tokens: ApiTokensService,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('api-tokens/index')
  async page(@Req() req: Request, @CurrentUser() me: SignedInUser) {
    const created = req.session.createdApiToken ?? null;
    delete req.session.createdApiToken;
    return { ...(await this.pageData(me)), created, values: NEW_TOKEN_DEFAULTS };
  }

  @Post()
  @FormView('api-tokens/index', refusedToken)
  @Redirect(PAGE, 303)
  async create(@Req() req: Request, @CurrentUser() me: SignedInUser, @Body() dto: CreateApiTokenDto) {
    const expiresAt = this.tokens.expiryOf(dto.expiry, dto.expiresOn);
    const { token, secret } = await this.tokens.create(me.brokerId, me.id, {
      name: dto.name,
      scope: dto.scope,
      expiresAt,
    });
    req.session.createdApiToken = { name: token.name, scope: API_TOKEN_SCOPE_LABELS[token.scope], secret };
  }

  @Get(':id/revoke')
  @Render('api-tokens/revoke')
  async revokePage(@CurrentUser() me: SignedInUser, @PathId('id') id: number) {
    const token = await this.tokens.findInBroker(me.brokerId, id);
    return { title: `Revoke “${token.name}”`, breadcrumbs: [{ href: PAGE, label: 'API access' }], token };
  }

  @Post(':id/revoke')
  @Redirect(PAGE, 303)
  async revoke(@Req() req: Request, @CurrentUser() me: SignedInUser, @PathId('id') id: number) {
    const token = await this.tokens.revoke(me.brokerId, id);
    flash(req, 'success', `The token “${token.name}” is revoked: the API refuses it from now on.`);
  }

  async pageData(me: SignedInUser) {
    const tokens = await this.tokens.listing(me.brokerId);
    return {
      title: 'API access',
      scopes: SCOPE_OPTIONS,
      expiries: EXPIRY_OPTIONS,
      rateLimitPerMinute: this.config.api.rateLimitPerMinute,
      tokens: tokens.map((token) => ({
        ...token,
        scopeLabel: API_TOKEN_SCOPE_LABELS[token.scope],
        statusLabel: API_TOKEN_STATUS_LABELS[token.status],
        active: token.status === 'active',
      })),
    };
  }
}
