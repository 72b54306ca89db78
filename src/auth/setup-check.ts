// What the sign-in guard needs to know of the first run (src/sign-in provides it): an empty installation leads every
// visitor to the setup page instead of the sign-in page.
export abstract class SetupCheck {
  abstract isSetupNeeded(): Promise<boolean>;
}
