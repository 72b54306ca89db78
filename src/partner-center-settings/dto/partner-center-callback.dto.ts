import { Allow } from 'class-validator';

// What Microsoft's sign-in sends back to the callback. Any of it may be missing or malformed: the connection service
// checks each value and says in words what was wrong, so here they are only kept (unlisted parameters are dropped).
export class PartnerCenterCallbackQuery {
  @Allow()
  state?: unknown;

  @Allow()
  code?: unknown;

  @Allow()
  error?: unknown;

  @Allow()
  error_description?: unknown;
}
