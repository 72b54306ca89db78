// What password sign-in needs to know of the other way in (src/entra provides it): a broker that signs in with
// Microsoft may have turned passwords off.
export abstract class PasswordSignInPolicy {
  abstract passwordAllowed(brokerId: number): Promise<boolean>;
}
