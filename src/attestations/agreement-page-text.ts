import type { Attestation } from './attestation.record';

// The words of the customer's agreement page in the signatory's language (the attestation's), around Microsoft's
// component, which Partner Center shows in that language itself. A language not listed here falls back to English.
export interface AgreementPageText {
  agreement: string; // the agreement's name, as Microsoft's own pages in that language call it
  yourPartner: string;
  intro: (partner: string, customer: string) => string;
  componentTitle: string;
  notShowing: string;
  openOwnPage: string;
  newTab: string;
  expiresOn: (date: string) => string;
  accepted: (date: string | null, company: string) => string;
  expired: (date: string | null, partner: string) => string;
  invalid: (partner: string) => string;
  notReady: (partner: string) => string;
}

const on = (date: string | null, word: string) => (date ? ` ${word} ${date}` : '');

const ENGLISH: AgreementPageText = {
  agreement: 'Microsoft Customer Agreement',
  yourPartner: 'your Microsoft partner',
  intro: (partner, customer) =>
    `${partner}, your Microsoft partner, asks you to review and accept the Microsoft Customer Agreement on behalf of ${customer}, so that it can buy and manage Microsoft cloud subscriptions for you.`,
  componentTitle: 'Microsoft Customer Agreement: review and accept',
  notShowing: 'Microsoft’s agreement does not show above?',
  openOwnPage: 'Open it on its own page',
  newTab: '(opens in a new tab)',
  expiresOn: (date) => `This link expires on ${date}.`,
  accepted: (date, company) => `Accepted${on(date, 'on')} on behalf of ${company}. Thank you: you can close this page.`,
  expired: (date, partner) => `This link expired${on(date, 'on')}. Ask ${partner} for a new one.`,
  invalid: (partner) => `This link is no longer valid. Ask ${partner} for a new one.`,
  notReady: (partner) =>
    `The agreement cannot be shown yet: ${partner} is still setting this page up. Try again later, or ask them.`,
};

const GERMAN: AgreementPageText = {
  agreement: 'Microsoft-Kundenvertrag',
  yourPartner: 'Ihr Microsoft-Partner',
  intro: (partner, customer) =>
    `${partner}, Ihr Microsoft-Partner, bittet Sie, den Microsoft-Kundenvertrag im Namen von ${customer} zu prüfen und anzunehmen, damit er Microsoft-Cloud-Abonnements für Sie kaufen und verwalten kann.`,
  componentTitle: 'Microsoft-Kundenvertrag: prüfen und annehmen',
  notShowing: 'Der Vertrag von Microsoft wird oben nicht angezeigt?',
  openOwnPage: 'Auf einer eigenen Seite öffnen',
  newTab: '(öffnet sich in einem neuen Tab)',
  expiresOn: (date) => `Dieser Link läuft am ${date} ab.`,
  accepted: (date, company) =>
    `Angenommen${on(date, 'am')} im Namen von ${company}. Vielen Dank: Sie können diese Seite schließen.`,
  expired: (date, partner) => `Dieser Link ist${on(date, 'am')} abgelaufen. Bitten Sie ${partner} um einen neuen.`,
  invalid: (partner) => `Dieser Link ist nicht mehr gültig. Bitten Sie ${partner} um einen neuen.`,
  notReady: (partner) =>
    `Der Vertrag kann noch nicht angezeigt werden: ${partner} richtet diese Seite noch ein. Versuchen Sie es später erneut oder fragen Sie nach.`,
};

const FRENCH: AgreementPageText = {
  agreement: 'Contrat client Microsoft',
  yourPartner: 'votre partenaire Microsoft',
  intro: (partner, customer) =>
    `${partner}, votre partenaire Microsoft, vous demande de lire et d’accepter le Contrat client Microsoft au nom de ${customer}, afin de pouvoir acheter et gérer pour vous des abonnements au cloud Microsoft.`,
  componentTitle: 'Contrat client Microsoft : lire et accepter',
  notShowing: 'Le contrat de Microsoft ne s’affiche pas ci-dessus ?',
  openOwnPage: 'L’ouvrir dans sa propre page',
  newTab: '(s’ouvre dans un nouvel onglet)',
  expiresOn: (date) => `Ce lien expire le ${date}.`,
  accepted: (date, company) => `Accepté${on(date, 'le')} au nom de ${company}. Merci : vous pouvez fermer cette page.`,
  expired: (date, partner) => `Ce lien a expiré${on(date, 'le')}. Demandez-en un nouveau à ${partner}.`,
  invalid: (partner) => `Ce lien n’est plus valide. Demandez-en un nouveau à ${partner}.`,
  notReady: (partner) =>
    `Le contrat ne peut pas encore s’afficher : ${partner} prépare encore cette page. Réessayez plus tard ou contactez-le.`,
};

const SPANISH: AgreementPageText = {
  agreement: 'Contrato de cliente de Microsoft',
  yourPartner: 'su partner de Microsoft',
  intro: (partner, customer) =>
    `${partner}, su partner de Microsoft, le pide que revise y acepte el Contrato de cliente de Microsoft en nombre de ${customer}, para poder comprar y administrar suscripciones de la nube de Microsoft para usted.`,
  componentTitle: 'Contrato de cliente de Microsoft: revisar y aceptar',
  notShowing: '¿No se muestra arriba el contrato de Microsoft?',
  openOwnPage: 'Ábralo en su propia página',
  newTab: '(se abre en una pestaña nueva)',
  expiresOn: (date) => `Este vínculo caduca el ${date}.`,
  accepted: (date, company) =>
    `Aceptado${on(date, 'el')} en nombre de ${company}. Gracias: ya puede cerrar esta página.`,
  expired: (date, partner) => `Este vínculo caducó${on(date, 'el')}. Pida uno nuevo a ${partner}.`,
  invalid: (partner) => `Este vínculo ya no es válido. Pida uno nuevo a ${partner}.`,
  notReady: (partner) =>
    `El contrato aún no se puede mostrar: ${partner} todavía está preparando esta página. Vuelva a intentarlo más tarde o consúltele.`,
};

const TEXTS: Record<string, AgreementPageText> = { en: ENGLISH, de: GERMAN, fr: FRENCH, es: SPANISH };

// By the language's first part (de-DE, de-AT: German).
export function agreementPageText(language: string): { lang: string; text: AgreementPageText } {
  const base = language.split('-')[0].toLowerCase();
  return Object.hasOwn(TEXTS, base) ? { lang: language, text: TEXTS[base] } : { lang: 'en', text: ENGLISH };
}

// A date as the signatory reads it, in UTC (as the rest of the app shows times).
export function agreementPageDate(date: Date | null, language: string): string | null {
  if (!date) return null;
  try {
    return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
  } catch {
    return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}

// The page's model: the agreement in the signatory's words, and Microsoft's component (null: none can be shown).
export function agreementPageView(
  found: { attestation: Attestation; partnerName: string; customerName: string },
  componentUrl: string | null,
) {
  const { attestation, partnerName, customerName } = found;
  const { lang, text } = agreementPageText(attestation.language);
  const date = (value: Date | null) => agreementPageDate(value, lang);
  const waiting = attestation.state === 'awaiting_acceptance';
  const accepted = ['accepted', 'finalized', 'finalize_failed'].includes(attestation.state);
  const status = accepted
    ? text.accepted(date(attestation.acceptedAt), attestation.companyName)
    : attestation.state === 'expired'
      ? text.expired(date(attestation.linkExpiresAt), partnerName)
      : !waiting
        ? text.invalid(partnerName)
        : componentUrl
          ? null
          : text.notReady(partnerName);
  return {
    title: text.agreement,
    lang,
    partnerName,
    text,
    intro: waiting ? text.intro(partnerName, customerName) : null,
    status,
    statusIsGood: accepted,
    componentUrl,
    expires: waiting && attestation.linkExpiresAt ? text.expiresOn(date(attestation.linkExpiresAt) as string) : null,
  };
}
