import { Allow } from 'class-validator';

// The sandbox's acceptance form: the signatory's "I am authorized" box, which the controller asks for by name.
export class SandboxAcceptanceForm {
  @Allow()
  authorized?: unknown;
}
